public import Foundation

extension DatasetStore {
    /// The workspace's tags by name, each with the number of datasets carrying it.
    public func tags(in workspace: WorkspaceID, keyword: String?) async throws -> [DatasetTag] {
        var sql: SQL = "SELECT \(unescaped: DatasetTag.selection) FROM dataset_tag t WHERE t.workspace_id = \(workspace)"
        if let keyword, !keyword.isEmpty { sql += " AND \(SQL.contains(column: "t.name", keyword))" }
        sql += " ORDER BY t.name, t.id"
        return try await database.read(.workspace(workspace)) { [sql] transaction in
            try await transaction.rows(sql).map { try DatasetTag(row: $0, bindingCount: try $0.int("binding_count")) }
        }
    }

    public func tags(of datasets: [DatasetID], in workspace: WorkspaceID) async throws -> [DatasetID: [DatasetTag]] {
        guard !datasets.isEmpty else { return [:] }
        return try await database.read(.workspace(workspace)) { transaction in
            var tags: [DatasetID: [DatasetTag]] = [:]
            for row in try await transaction.rows(
                """
                SELECT b.dataset_id, t.* FROM dataset_tag_binding b JOIN dataset_tag t ON t.id = b.tag_id
                WHERE b.workspace_id = \(workspace) AND b.dataset_id IN (\(list: datasets)) ORDER BY t.name, t.id
                """)
            {
                tags[try row.identifier("dataset_id"), default: []].append(try DatasetTag(row: row))
            }
            return tags
        }
    }

    /// Throws `invalid_param` (duplicate) when the workspace has a tag of that name.
    public func insertTag(_ tag: DatasetTag) async throws {
        do {
            try await database.write(.workspace(tag.workspaceID)) { transaction in
                try await transaction.execute(
                    """
                    INSERT INTO dataset_tag (id, workspace_id, name, created_by, created_at)
                    VALUES (\(tag.id), \(tag.workspaceID), \(tag.name), \(tag.createdBy), \(tag.createdAt))
                    """)
            }
        } catch  where SQLTransaction.isUniqueViolation(error) {
            throw RelayError.duplicateTagName()
        }
    }

    /// `nil` when the workspace has no such tag; throws `invalid_param` (duplicate) when another has the name.
    public func renameTag(_ id: TagID, to name: String, in workspace: WorkspaceID) async throws -> DatasetTag? {
        do {
            return try await database.write(.workspace(workspace)) { transaction in
                try await transaction.execute("UPDATE dataset_tag SET name = \(name) WHERE id = \(id) AND workspace_id = \(workspace)")
                return try await transaction.row(
                    "SELECT \(unescaped: DatasetTag.selection) FROM dataset_tag t WHERE t.id = \(id) AND t.workspace_id = \(workspace)"
                ).map { try DatasetTag(row: $0, bindingCount: try $0.int("binding_count")) }
            }
        } catch  where SQLTransaction.isUniqueViolation(error) {
            throw RelayError.duplicateTagName()
        }
    }

    /// Removes the tag from every dataset too; `false` when the workspace has no such tag.
    public func deleteTag(_ id: TagID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.changes("DELETE FROM dataset_tag WHERE id = \(id) AND workspace_id = \(workspace) RETURNING id") > 0
        }
    }

    /// Puts every tag on the dataset (those it has stay), all or none: `false`, and nothing changed, when one of them is
    /// not the workspace's.
    public func bind(_ tags: [TagID], to dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        let tags = Array(Set(tags))
        // SQLite binds at most 32,766 values to one statement: lists longer than a chunk take several.
        let chunks = stride(from: 0, to: tags.count, by: 5_000).map { Array(tags[$0..<min($0 + 5_000, tags.count)]) }
        return try await database.write(.workspace(workspace)) { transaction in
            // Locked, so that a tag or the dataset deleted meanwhile cannot leave a binding behind or fail the insert.
            var known = 0
            for chunk in chunks {
                known += try await transaction.rows(
                    "SELECT id FROM dataset_tag WHERE workspace_id = \(workspace) AND id IN (\(list: chunk))\(Self.forShare)"
                ).count
            }
            let datasetIsKnown =
                try await transaction.row(
                    "SELECT id FROM dataset WHERE id = \(dataset) AND workspace_id = \(workspace)\(Self.forShare)") != nil
            guard known == tags.count, datasetIsKnown else { return false }
            try await transaction.insert(
                "INSERT INTO dataset_tag_binding (tag_id, dataset_id, workspace_id, created_at)",
                values: tags.map { tag in "(\(tag), \(dataset), \(workspace), \(date))" }, " ON CONFLICT DO NOTHING"
            )
            return true
        }
    }

    /// `false` when the dataset did not carry the tag.
    public func unbind(_ tag: TagID, from dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.changes(
                """
                DELETE FROM dataset_tag_binding WHERE tag_id = \(tag) AND dataset_id = \(dataset) AND workspace_id = \(workspace)
                RETURNING tag_id
                """) > 0
        }
    }
}
