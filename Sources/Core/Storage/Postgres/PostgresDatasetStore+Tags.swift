import Foundation
import PostgresNIO

extension PostgresDatasetStore {
    func tags(in workspace: WorkspaceID, keyword: String?) async throws -> [DatasetTag] {
        let pattern = keyword.flatMap { $0.isEmpty ? nil : "%\(PostgresAppStore.escapeLike($0))%" }
        return try await inWorkspace(workspace) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: DatasetTag.selection) FROM dataset_tag t WHERE t.workspace_id = \(workspace.description)
                AND (\(pattern)::TEXT IS NULL OR t.name ILIKE \(pattern) ESCAPE '\\') ORDER BY t.name, t.id
                """,
                logger: logger
            ).map { try DatasetTag(row: $0, bindingCount: try $0.int("binding_count")) }
        }
    }

    func tags(of datasets: [DatasetID], in workspace: WorkspaceID) async throws -> [DatasetID: [DatasetTag]] {
        guard !datasets.isEmpty else { return [:] }
        let ids = datasets.map(\.description)
        return try await inWorkspace(workspace) { connection in
            var tags: [DatasetID: [DatasetTag]] = [:]
            for row in try await connection.rows(
                """
                SELECT b.dataset_id, t.* FROM dataset_tag_binding b JOIN dataset_tag t ON t.id = b.tag_id
                WHERE b.workspace_id = \(workspace.description) AND b.dataset_id = ANY(\(ids)) ORDER BY t.name, t.id
                """,
                logger: logger
            ) {
                tags[try row.identifier("dataset_id"), default: []].append(try DatasetTag(row: row))
            }
            return tags
        }
    }

    func insertTag(_ tag: DatasetTag) async throws {
        do {
            try await inWorkspace(tag.workspaceID) { connection in
                try await connection.run(
                    """
                    INSERT INTO dataset_tag (id, workspace_id, name, created_by, created_at) VALUES (\(tag.id.description),
                    \(tag.workspaceID.description), \(tag.name), \(tag.createdBy?.description), \(tag.createdAt.storedValue))
                    """,
                    logger: logger
                )
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw RelayError.duplicateTagName()
        }
    }

    func renameTag(_ id: TagID, to name: String, in workspace: WorkspaceID) async throws -> DatasetTag? {
        do {
            return try await inWorkspace(workspace) { connection in
                try await connection.run(
                    "UPDATE dataset_tag SET name = \(name) WHERE id = \(id.description) AND workspace_id = \(workspace.description)", logger: logger
                )
                return try await connection.rows(
                    """
                    SELECT \(unescaped: DatasetTag.selection) FROM dataset_tag t
                    WHERE t.id = \(id.description) AND t.workspace_id = \(workspace.description)
                    """,
                    logger: logger
                ).first.map { try DatasetTag(row: $0, bindingCount: try $0.int("binding_count")) }
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw RelayError.duplicateTagName()
        }
    }

    func deleteTag(_ id: TagID, in workspace: WorkspaceID) async throws -> Bool {
        try await inWorkspace(workspace) { connection in
            try await connection.changes(
                "DELETE FROM dataset_tag WHERE id = \(id.description) AND workspace_id = \(workspace.description) RETURNING id", logger: logger
            ) > 0
        }
    }

    func bind(_ tags: [TagID], to dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        let ids = Array(Set(tags.map(\.description)))
        return try await inWorkspace(workspace) { connection in
            // Locked, so that a tag or the dataset deleted meanwhile cannot leave a binding behind or fail the insert.
            let known = try await connection.rows(
                "SELECT id FROM dataset_tag WHERE workspace_id = \(workspace.description) AND id = ANY(\(ids)) FOR SHARE", logger: logger
            ).count
            let datasetIsKnown = try await !connection.rows(
                "SELECT id FROM dataset WHERE id = \(dataset.description) AND workspace_id = \(workspace.description) FOR SHARE", logger: logger
            ).isEmpty
            guard known == ids.count, datasetIsKnown else { return false }
            try await connection.run(
                """
                INSERT INTO dataset_tag_binding (tag_id, dataset_id, workspace_id, created_at)
                SELECT tag, \(dataset.description), \(workspace.description), \(date.storedValue) FROM UNNEST(\(ids)::TEXT[]) AS tag
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
            return true
        }
    }

    func unbind(_ tag: TagID, from dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await inWorkspace(workspace) { connection in
            try await connection.changes(
                """
                DELETE FROM dataset_tag_binding WHERE tag_id = \(tag.description) AND dataset_id = \(dataset.description)
                AND workspace_id = \(workspace.description) RETURNING tag_id
                """,
                logger: logger
            ) > 0
        }
    }
}
