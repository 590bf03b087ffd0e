public import Foundation

/// Child chunks of parent-child documents: read with their parents, written one at a time by users or all at once
/// when a parent's children are cut again. Every change moves the dataset's revision, as segments' changes do.
extension DatasetStore {
    public func childChunks(
        of segment: SegmentID, in workspace: WorkspaceID, keyword: String?, page: Int, limit: Int
    ) async throws -> Page<ChildChunk> {
        var filter: SQL = "c.workspace_id = \(workspace) AND c.segment_id = \(segment)"
        if let keyword, !keyword.isEmpty { filter += " AND \(SQL.contains(column: "c.content", keyword))" }
        return try await database.read(.workspace(workspace)) { [filter] transaction in
            let total = try await transaction.count("SELECT COUNT(*) AS n FROM child_chunk c WHERE \(filter)")
            let rows = try await transaction.rows(
                """
                SELECT \(unescaped: ChildChunk.listedColumns) FROM child_chunk c WHERE \(filter) ORDER BY c.position
                LIMIT \(limit) OFFSET \((page - 1) * limit)
                """)
            return Page(items: try rows.map(ChildChunk.init(row:)), total: total, page: page, limit: limit)
        }
    }

    /// The children of each of `segments`, in order.
    public func childChunks(of segments: [SegmentID], in workspace: WorkspaceID) async throws -> [SegmentID: [ChildChunk]] {
        guard !segments.isEmpty else { return [:] }
        return try await database.read(.workspace(workspace)) { transaction in
            var children: [SegmentID: [ChildChunk]] = [:]
            for row in try await transaction.rows(
                """
                SELECT \(unescaped: ChildChunk.listedColumns) FROM child_chunk c
                WHERE c.segment_id IN (\(list: segments)) AND c.workspace_id = \(workspace) ORDER BY c.segment_id, c.position
                """)
            {
                let child = try ChildChunk(row: row)
                children[child.segmentID, default: []].append(child)
            }
            return children
        }
    }

    public func childChunks(_ ids: [ChildChunkID], in workspace: WorkspaceID) async throws -> [ChildChunkID: ChildChunk] {
        guard !ids.isEmpty else { return [:] }
        return try await database.read(.workspace(workspace)) { transaction in
            var found: [ChildChunkID: ChildChunk] = [:]
            for row in try await transaction.rows(
                "SELECT \(unescaped: ChildChunk.listedColumns) FROM child_chunk c WHERE c.id IN (\(list: ids)) AND c.workspace_id = \(workspace)")
            {
                let child = try ChildChunk(row: row)
                found[child.id] = child
            }
            return found
        }
    }

    public func childChunk(_ id: ChildChunkID, of segment: SegmentID, in workspace: WorkspaceID) async throws -> ChildChunk? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                """
                SELECT \(unescaped: ChildChunk.listedColumns) FROM child_chunk c
                WHERE c.id = \(id) AND c.segment_id = \(segment) AND c.workspace_id = \(workspace)
                """
            ).map(ChildChunk.init(row:))
        }
    }

    /// Adds a child after the segment's last, unless the workspace's vector space would pass `vectorSpaceLimit`
    /// (0: no limit): `nil` then.
    public func append(_ child: ChildChunk, vectorSpaceLimit: Int) async throws -> ChildChunk? {
        try await database.write(.workspace(child.workspaceID)) { transaction -> ChildChunk? in
            try await transaction.lock("documents/" + child.workspaceID.description)
            if vectorSpaceLimit > 0 {
                let held = try await transaction.count(
                    "SELECT COALESCE(SUM(size), 0) AS n FROM document_segment WHERE workspace_id = \(child.workspaceID)")
                if held + child.storedSize > vectorSpaceLimit { return nil }
            }
            var child = child
            child.position =
                try await transaction.count("SELECT COALESCE(MAX(position), 0) AS n FROM child_chunk WHERE segment_id = \(child.segmentID)") + 1
            try await transaction.execute(Self.insert(child.storedValues, columns: ChildChunk.columns, into: "child_chunk"))
            try await Self.changedChildren(of: child.segmentID, in: child.datasetID, transaction)
            return child
        }
    }

    public func replace(_ child: ChildChunk) async throws -> Bool {
        try await database.write(.workspace(child.workspaceID)) { transaction in
            let changed = try await transaction.changes(
                """
                UPDATE child_chunk SET content = \(child.content), word_count = \(child.wordCount), type = \(child.type.rawValue),
                index_node_hash = \(child.indexNodeHash), vector = \(child.vector.map(StoredVector.encode)), updated_by = \(child.updatedBy),
                updated_at = \(child.updatedAt)
                WHERE id = \(child.id) AND segment_id = \(child.segmentID) AND workspace_id = \(child.workspaceID) RETURNING id
                """)
            guard changed > 0 else { return false }
            try await Self.changedChildren(of: child.segmentID, in: child.datasetID, transaction)
            return true
        }
    }

    public func deleteChildChunk(_ id: ChildChunkID, of segment: SegmentID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            guard
                let dataset: DatasetID = try await transaction.row(
                    "DELETE FROM child_chunk WHERE id = \(id) AND segment_id = \(segment) AND workspace_id = \(workspace) RETURNING dataset_id"
                ).map({ try $0.identifier("dataset_id") })
            else { return false }
            try await Self.changedChildren(of: segment, in: dataset, transaction)
            return true
        }
    }

    /// Puts `children` in place of all the segment's children (its text was changed and cut again).
    public func replaceChildren(of segment: SegmentID, in dataset: DatasetID, workspace: WorkspaceID, with children: [ChildChunk]) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute("DELETE FROM child_chunk WHERE segment_id = \(segment) AND workspace_id = \(workspace)")
            for child in children {
                try await transaction.execute(Self.insert(child.storedValues, columns: ChildChunk.columns, into: "child_chunk"))
            }
            try await Self.changedChildren(of: segment, in: dataset, transaction)
        }
    }

    /// After its children changed: the parent's stored size counts them, and cached vectors are stale.
    private static func changedChildren(of segment: SegmentID, in dataset: DatasetID, _ transaction: SQLTransaction) async throws {
        try await transaction.execute(
            """
            UPDATE document_segment SET size = LENGTH(content) + COALESCE(LENGTH(answer), 0)
                + (SELECT COALESCE(SUM(LENGTH(c.content) + COALESCE(LENGTH(c.vector), 0)), 0) FROM child_chunk c WHERE c.segment_id = \(segment))
            WHERE id = \(segment)
            """)
        try await transaction.execute("UPDATE dataset SET revision = revision + 1 WHERE id = \(dataset)")
    }
}
