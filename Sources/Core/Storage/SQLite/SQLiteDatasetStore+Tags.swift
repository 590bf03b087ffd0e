import Foundation
import GRDB

extension SQLiteDatasetStore {
    func tags(in workspace: WorkspaceID, keyword: String?) async throws -> [DatasetTag] {
        try await writer.read { db in
            var sql = "SELECT \(DatasetTag.selection) FROM dataset_tag t WHERE t.workspace_id = ?"
            var arguments: [(any DatabaseValueConvertible)?] = [workspace.description]
            if let keyword, !keyword.isEmpty {
                sql += " AND t.name LIKE ? ESCAPE '\\'"
                arguments.append("%\(SQLiteAppStore.escapeLike(keyword))%")
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY t.name, t.id", arguments: StatementArguments(arguments)).map {
                try DatasetTag(row: $0, bindingCount: $0["binding_count"])
            }
        }
    }

    func tags(of datasets: [DatasetID], in workspace: WorkspaceID) async throws -> [DatasetID: [DatasetTag]] {
        guard !datasets.isEmpty else { return [:] }
        return try await writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT b.dataset_id, t.* FROM dataset_tag_binding b JOIN dataset_tag t ON t.id = b.tag_id
                    WHERE b.workspace_id = ? AND b.dataset_id IN (\(datasets.map { _ in "?" }.joined(separator: ", "))) ORDER BY t.name, t.id
                    """,
                arguments: StatementArguments([workspace.description] + datasets.map(\.description))
            )
            var tags: [DatasetID: [DatasetTag]] = [:]
            for row in rows { tags[try row.identifier("dataset_id"), default: []].append(try DatasetTag(row: row)) }
            return tags
        }
    }

    func insertTag(_ tag: DatasetTag) async throws {
        do {
            try await writer.write { db in
                try db.execute(
                    sql: "INSERT INTO dataset_tag (id, workspace_id, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        tag.id.description, tag.workspaceID.description, tag.name, tag.createdBy?.description, tag.createdAt.storedValue,
                    ]
                )
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RelayError.duplicateTagName()
        }
    }

    func renameTag(_ id: TagID, to name: String, in workspace: WorkspaceID) async throws -> DatasetTag? {
        do {
            return try await writer.write { db in
                try db.execute(
                    sql: "UPDATE dataset_tag SET name = ? WHERE id = ? AND workspace_id = ?", arguments: [name, id.description, workspace.description]
                )
                return try Row.fetchOne(
                    db, sql: "SELECT \(DatasetTag.selection) FROM dataset_tag t WHERE t.id = ? AND t.workspace_id = ?",
                    arguments: [id.description, workspace.description]
                ).map { try DatasetTag(row: $0, bindingCount: $0["binding_count"]) }
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RelayError.duplicateTagName()
        }
    }

    func deleteTag(_ id: TagID, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM dataset_tag WHERE id = ? AND workspace_id = ?", arguments: [id.description, workspace.description])
            return db.changesCount > 0
        }
    }

    func bind(_ tags: [TagID], to dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        let tags = Array(Set(tags))
        return try await writer.write { db in
            let known = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM dataset_tag WHERE workspace_id = ? AND id IN (\(tags.map { _ in "?" }.joined(separator: ", ")))",
                arguments: StatementArguments([workspace.description] + tags.map(\.description))
            ) ?? 0
            let datasetIsKnown = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM dataset WHERE id = ? AND workspace_id = ?)", arguments: [dataset.description, workspace.description]
            ) ?? false
            guard known == tags.count, datasetIsKnown else { return false }
            for tag in tags {
                try db.execute(
                    sql: "INSERT INTO dataset_tag_binding (tag_id, dataset_id, workspace_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [tag.description, dataset.description, workspace.description, date.storedValue]
                )
            }
            return true
        }
    }

    func unbind(_ tag: TagID, from dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM dataset_tag_binding WHERE tag_id = ? AND dataset_id = ? AND workspace_id = ?",
                arguments: [tag.description, dataset.description, workspace.description]
            )
            return db.changesCount > 0
        }
    }
}
