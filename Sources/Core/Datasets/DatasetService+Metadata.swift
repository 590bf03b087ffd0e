public import Foundation

/// Knowledge metadata as Dify's knowledge API serves it: a dataset's fields (any reader lists them, editors make,
/// rename and delete them), the built-in fields switched on or off, and documents' values set in batches.
extension DatasetService {
    public func metadataFields(of datasetID: DatasetID, by caller: DatasetCaller) async throws -> (fields: [MetadataField], builtInEnabled: Bool) {
        let dataset = try await dataset(datasetID, by: caller)
        return (try await store.countedMetadataFields(of: datasetID, in: caller.workspaceID), dataset.builtInFieldEnabled)
    }

    public func createMetadataField(named name: String, type: String, in datasetID: DatasetID, by caller: DatasetCaller) async throws -> MetadataField
    {
        try caller.requireEditor("change metadata")
        _ = try await dataset(datasetID, by: caller)
        guard let type = MetadataField.ValueType(rawValue: type) else {
            throw RelayError.invalidParam("type", "type must be one of string, number, time", type: "enum")
        }
        let date = now()
        let field = MetadataField(
            id: MetadataFieldID(), workspaceID: caller.workspaceID, datasetID: datasetID, name: try Self.metadataName(name), type: type,
            createdBy: caller.account, createdAt: date, updatedBy: caller.account, updatedAt: date
        )
        try await store.insert(field)
        return field
    }

    public func renameMetadataField(
        _ id: MetadataFieldID, in datasetID: DatasetID, to name: String, by caller: DatasetCaller
    ) async throws
        -> MetadataField
    {
        try caller.requireEditor("change metadata")
        _ = try await dataset(datasetID, by: caller)
        guard
            let field = try await store.renameMetadataField(
                id, of: datasetID, in: caller.workspaceID, to: try Self.metadataName(name), by: caller.account, at: now())
        else { throw RelayError.notFound("Metadata not found.") }
        return field
    }

    public func deleteMetadataField(_ id: MetadataFieldID, in datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("change metadata")
        _ = try await dataset(datasetID, by: caller)
        guard try await store.deleteMetadataField(id, of: datasetID, in: caller.workspaceID) else { throw RelayError.notFound("Metadata not found.") }
    }

    public func setBuiltInFields(_ enabled: Bool, of datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("change metadata")
        _ = try await dataset(datasetID, by: caller)
        guard try await store.setBuiltInFields(enabled, of: datasetID, in: caller.workspaceID) else {
            throw RelayError.notFound("Dataset \(datasetID) not found")
        }
    }

    /// One document's new values: every field of `values` (by id) is checked against its type; `partial` keeps the
    /// values not named, otherwise they are cleared (Dify's `partial_update`).
    public struct MetadataChange: Sendable {
        public let document: DocumentID
        public let values: [(field: MetadataFieldID, value: JSONValue)]
        public let partial: Bool

        public init(document: DocumentID, values: [(field: MetadataFieldID, value: JSONValue)], partial: Bool) {
            self.document = document
            self.values = values
            self.partial = partial
        }
    }

    /// Sets documents' values, all or none: an unknown field or document is a 404, a value of the wrong type a 400,
    /// and nothing is changed.
    public func setMetadata(_ changes: [MetadataChange], in datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("change metadata")
        _ = try await dataset(datasetID, by: caller)
        guard changes.count <= 1000 else { throw RelayError.invalidParam("operation_data", "At most 1000 documents at once", type: "too_long") }
        let fields = Dictionary(
            try await store.metadataFields(of: [datasetID], in: caller.workspaceID).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var checked: [(DocumentID, @Sendable (inout DocumentMetadataValues) -> Void)] = []
        for (index, change) in changes.enumerated() {
            var values: [(MetadataFieldID, JSONValue)] = []
            for (position, item) in change.values.enumerated() {
                let path = "operation_data[\(index)].metadata_list[\(position)]"
                guard let field = fields[item.field] else { throw RelayError.notFound("Metadata \(item.field) not found.") }
                values.append((field.id, try MetadataValue.parse(item.value, as: field.type, field: "\(path).value").json))
            }
            let partial = change.partial
            checked.append(
                (
                    change.document,
                    { [values] stored in
                        if !partial { stored = DocumentMetadataValues() }
                        for (field, value) in values { stored[field] = value }
                    }
                ))
        }
        try await store.setMetadata(checked, of: datasetID, in: caller.workspaceID, by: caller.account, at: now())
    }

    func metadataSchema(of dataset: Dataset) async throws -> MetadataSchema {
        MetadataSchema(
            fields: try await store.metadataFields(of: [dataset.id], in: dataset.workspaceID), builtInEnabled: dataset.builtInFieldEnabled)
    }

    /// Each metadata value of the document by field name (custom fields of its dataset, and the built-in ones when the
    /// dataset shows them), as filters compare them and documents show them.
    public static func metadataValues(
        of document: DatasetDocument, fields: [MetadataField], builtIn: Bool
    ) -> [(field: MetadataField?, name: String, type: MetadataField.ValueType, value: MetadataValue)] {
        var values: [(field: MetadataField?, name: String, type: MetadataField.ValueType, value: MetadataValue)] = []
        for field in fields where field.datasetID == document.datasetID {
            let stored = document.metadata[field.id]
            guard stored != .null else { continue }
            values.append((field, field.name, field.type, (try? MetadataValue.parse(stored, as: field.type, field: field.name)) ?? .none))
        }
        if builtIn {
            for item in BuiltInMetadata.allCases {
                values.append((nil, item.rawValue, item.type, item.value(of: document, uploaderName: document.uploaderName)))
            }
        }
        return values
    }

    /// The documents of `datasets` a filter admits (`nil`: no filter, every document).
    func admittedDocuments(of datasets: [Dataset], filter: MetadataFilter?) async throws -> Set<DocumentID>? {
        guard let filter, let workspace = datasets.first?.workspaceID else { return nil }
        let fields = try await store.metadataFields(of: datasets.map(\.id), in: workspace)
        let builtIn = Dictionary(datasets.map { ($0.id, $0.builtInFieldEnabled) }, uniquingKeysWith: { a, _ in a })
        var admitted = Set<DocumentID>()
        for document in try await store.searchableDocuments(of: datasets.map(\.id), in: workspace) {
            var byName: [String: MetadataValue] = [:]
            for item in Self.metadataValues(of: document, fields: fields, builtIn: builtIn[document.datasetID] ?? false) {
                byName[item.name] = item.value
            }
            if filter.admits(byName) { admitted.insert(document.id) }
        }
        return admitted
    }

    /// The filter `filtering` makes for `query` over the datasets `ids` of the workspace: a manual one with the
    /// inputs filled in, or the conditions a model reads from the query (none when it reads none).
    public func metadataFilter(
        _ filtering: MetadataFiltering, query: String, inputs: [String: JSONValue], datasets ids: [DatasetID], in workspace: WorkspaceID
    ) async throws -> MetadataFilter? {
        switch filtering {
        case .disabled: return nil
        case .manual(let filter): return MetadataFiltering.filling(filter, from: inputs)
        case .automatic(let provider, let model, let logical):
            let fields = try await store.metadataFields(of: ids, in: workspace)
            return try await MetadataConditionWriter(models: models).conditions(
                for: query, fields: fields, provider: provider, model: model, logicalOperator: logical, in: workspace)
        }
    }

    static func metadataName(_ name: String) throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw RelayError.required("name") }
        guard name.count <= MetadataField.maxNameLength else {
            throw RelayError.invalidParam("name", "Metadata name cannot exceed 255 characters.", type: "too_long")
        }
        guard !BuiltInMetadata.isBuiltIn(name) else {
            throw RelayError.invalidParam("name", "Metadata name already exists in Built-in fields.", type: "duplicate")
        }
        return name
    }
}
