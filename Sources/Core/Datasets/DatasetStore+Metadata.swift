public import Foundation

/// Knowledge metadata: a dataset's fields and its documents' values of them (held on the document, by field id).
extension DatasetStore {
    public func metadataFields(of datasets: [DatasetID], in workspace: WorkspaceID) async throws -> [MetadataField] {
        guard !datasets.isEmpty else { return [] }
        return try await database.read(.workspace(workspace)) { transaction in
            try await Self.metadataFields(of: datasets, in: workspace, transaction)
        }
    }

    /// The dataset's fields, each with how many documents have a value for it.
    public func countedMetadataFields(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> [MetadataField] {
        try await database.read(.workspace(workspace)) { transaction in
            var fields = try await Self.metadataFields(of: [dataset], in: workspace, transaction)
            var counts: [String: Int] = [:]
            try await transaction.forEachRow(
                "SELECT doc_metadata FROM dataset_document WHERE dataset_id = \(dataset) AND workspace_id = \(workspace)"
            ) { row in
                let values = try StoredJSON.decode(DocumentMetadataValues.self, try row.string("doc_metadata"), column: "doc_metadata")
                for key in values.values.keys { counts[key, default: 0] += 1 }
            }
            for index in fields.indices { fields[index].useCount = counts[fields[index].id.description, default: 0] }
            return fields
        }
    }

    public func metadataField(_ id: MetadataFieldID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> MetadataField? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                "SELECT * FROM dataset_metadata WHERE id = \(id) AND dataset_id = \(dataset) AND workspace_id = \(workspace)"
            ).map(MetadataField.init(row:))
        }
    }

    /// Throws `invalid_param` on `name` when the dataset has a field of that name.
    public func insert(_ field: MetadataField) async throws {
        do {
            try await database.write(.workspace(field.workspaceID)) { transaction in
                try await transaction.execute(
                    """
                    INSERT INTO dataset_metadata (id, workspace_id, dataset_id, name, type, created_by, created_at, updated_by, updated_at)
                    VALUES (\(field.id), \(field.workspaceID), \(field.datasetID), \(field.name), \(field.type.rawValue), \(field.createdBy),
                    \(field.createdAt), \(field.updatedBy), \(field.updatedAt))
                    """)
            }
        } catch  where SQLTransaction.isUniqueViolation(error) {
            throw RelayError.duplicateMetadataName()
        }
    }

    public func renameMetadataField(
        _ id: MetadataFieldID, of dataset: DatasetID, in workspace: WorkspaceID, to name: String, by account: AccountID?, at date: Date
    ) async throws -> MetadataField? {
        do {
            return try await database.write(.workspace(workspace)) { transaction -> MetadataField? in
                try await transaction.row(
                    """
                    UPDATE dataset_metadata SET name = \(name), updated_by = \(account), updated_at = \(date)
                    WHERE id = \(id) AND dataset_id = \(dataset) AND workspace_id = \(workspace) RETURNING *
                    """
                ).map(MetadataField.init(row:))
            }
        } catch  where SQLTransaction.isUniqueViolation(error) {
            throw RelayError.duplicateMetadataName()
        }
    }

    /// Deletes the field and every document's value of it, together.
    public func deleteMetadataField(_ id: MetadataFieldID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            guard
                try await transaction.changes(
                    "DELETE FROM dataset_metadata WHERE id = \(id) AND dataset_id = \(dataset) AND workspace_id = \(workspace) RETURNING id") > 0
            else { return false }
            var changed: [(DocumentID, DocumentMetadataValues)] = []
            try await transaction.forEachRow(
                "SELECT id, doc_metadata FROM dataset_document WHERE dataset_id = \(dataset) AND workspace_id = \(workspace)"
            ) { row in
                var values = try StoredJSON.decode(DocumentMetadataValues.self, try row.string("doc_metadata"), column: "doc_metadata")
                guard values[id] != .null else { return }
                values[id] = .null
                changed.append((try row.identifier("id"), values))
            }
            for (document, values) in changed {
                try await transaction.execute("UPDATE dataset_document SET doc_metadata = \(StoredJSON.encode(values)) WHERE id = \(document)")
            }
            return true
        }
    }

    /// Switches the dataset's built-in fields on or off; `false` when there is no such dataset.
    public func setBuiltInFields(_ enabled: Bool, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.changes(
                "UPDATE dataset SET built_in_field_enabled = \(enabled) WHERE id = \(dataset) AND workspace_id = \(workspace) RETURNING id") > 0
        }
    }

    /// Applies each change to its document's values, all or none: a 404 naming the first document that is not one of
    /// the dataset's, and nothing changed.
    public func setMetadata(
        _ changes: [(DocumentID, @Sendable (inout DocumentMetadataValues) -> Void)], of dataset: DatasetID, in workspace: WorkspaceID,
        by account: AccountID?, at date: Date
    ) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            for (document, change) in changes {
                guard
                    let row = try await transaction.row(
                        """
                        SELECT doc_metadata FROM dataset_document WHERE id = \(document) AND dataset_id = \(dataset)
                        AND workspace_id = \(workspace)\(Self.forUpdate)
                        """)
                else { throw RelayError.notFound("Document \(document) is not one of this dataset's documents") }
                var values = try StoredJSON.decode(DocumentMetadataValues.self, try row.string("doc_metadata"), column: "doc_metadata")
                change(&values)
                try await transaction.execute(
                    """
                    UPDATE dataset_document SET doc_metadata = \(StoredJSON.encode(values)), updated_by = \(account), updated_at = \(date)
                    WHERE id = \(document)
                    """)
            }
        }
    }

    /// The searchable documents of `datasets`, for a metadata filter to choose among.
    public func searchableDocuments(of datasets: [DatasetID], in workspace: WorkspaceID) async throws -> [DatasetDocument] {
        guard !datasets.isEmpty else { return [] }
        return try await database.read(.workspace(workspace)) { transaction in
            // Only what a filter reads (the values and the built-in fields' sources): not the shown selection's per-row
            // sums of segment hits and source sizes, read on every filtered retrieval.
            try await transaction.rows(
                """
                SELECT x.*, (SELECT a.name FROM account a WHERE a.id = \(unescaped: StoredCreator.shown("x"))) AS uploader_name
                FROM dataset_document x
                WHERE x.workspace_id = \(workspace) AND x.dataset_id IN (\(list: datasets)) AND \(unescaped: Self.searchable("x"))
                """
            ).map(DatasetDocument.init(row:))
        }
    }

    private static func metadataFields(
        of datasets: [DatasetID], in workspace: WorkspaceID, _ transaction: SQLTransaction
    ) async throws
        -> [MetadataField]
    {
        try await transaction.rows(
            "SELECT * FROM dataset_metadata WHERE dataset_id IN (\(list: datasets)) AND workspace_id = \(workspace) ORDER BY created_at, id"
        ).map(MetadataField.init(row:))
    }
}

extension RelayError {
    static func duplicateMetadataName() -> RelayError {
        RelayError.invalidParam("name", "Metadata name already exists.", type: "duplicate")
    }
}
