import Foundation
import GRDB

struct SQLiteDatasetStore: DatasetStore {
    let writer: any DatabaseWriter

    // MARK: Datasets

    func datasets(in workspace: WorkspaceID, matching query: DatasetQuery) async throws -> Page<Dataset> {
        try await writer.read { db in
            var conditions = ["d.workspace_id = ?"]
            var arguments: [(any DatabaseValueConvertible)?] = [workspace.description]
            if let account = query.visibleTo?.description {
                conditions.append(
                    """
                    (d.permission = 'all_team_members' OR d.created_by = ? OR (d.created_by IS NULL AND ?) OR (d.permission = 'partial_members'
                        AND EXISTS (SELECT 1 FROM dataset_member m WHERE m.dataset_id = d.id AND m.account_id = ?)))
                    """
                )
                arguments += [account, query.seesKeyMade, account]
            }
            if let keyword = query.keyword, !keyword.isEmpty {
                conditions.append("d.name LIKE ? ESCAPE '\\'")
                arguments.append("%\(SQLiteAppStore.escapeLike(keyword))%")
            }
            if let ids = query.ids {
                conditions.append("d.id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))")
                arguments += ids.map(\.description)
            }
            if let tags = query.tagIDs {
                conditions.append(
                    "EXISTS (SELECT 1 FROM dataset_tag_binding b WHERE b.dataset_id = d.id AND b.tag_id IN (\(tags.map { _ in "?" }.joined(separator: ", "))))"
                )
                arguments += tags.map(\.description)
            }
            let rows = try Self.page(
                db, select: Dataset.selection, from: "dataset d", where: conditions.joined(separator: " AND "), arguments: arguments,
                order: "d.created_at DESC, d.id", page: query.page, limit: query.limit
            ) { $0 }
            let members = try Self.members(of: rows.items.map { try $0.string("id") }, in: db)
            let items = try rows.items.map { row in try Dataset(row: row, partialMembers: members[try row.string("id"), default: []]) }
            return Page(items: items, total: rows.total, page: query.page, limit: query.limit)
        }
    }

    func dataset(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Dataset? {
        try await writer.read { db in try Self.dataset(id, in: workspace, db) }
    }

    func insert(_ dataset: Dataset) async throws {
        do {
            try await writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO dataset (id, workspace_id, name, description, permission, indexing_technique, embedding_provider, embedding_model,
                        retrieval_model, revision, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
                        """,
                    arguments: [
                        dataset.id.description, dataset.workspaceID.description, dataset.name, dataset.description, dataset.permission.rawValue,
                        dataset.indexingTechnique.rawValue, dataset.embeddingProvider, dataset.embeddingModel, StoredJSON.encode(dataset.retrieval),
                        dataset.createdBy?.description, dataset.createdAt.storedValue, dataset.updatedAt.storedValue,
                    ]
                )
                try Self.setMembers(of: dataset, db)
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RelayError.duplicateDatasetName()
        }
    }

    func update(_ id: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout Dataset) -> Void) async throws -> Dataset? {
        do {
            return try await writer.write { db in
                guard var dataset = try Self.dataset(id, in: workspace, db) else { return nil }
                change(&dataset)
                try db.execute(
                    sql: """
                        UPDATE dataset SET name = ?, description = ?, permission = ?, indexing_technique = ?, embedding_provider = ?,
                        embedding_model = ?, retrieval_model = ?, updated_at = ?, revision = revision + 1 WHERE id = ? AND workspace_id = ?
                        """,
                    arguments: [
                        dataset.name, dataset.description, dataset.permission.rawValue, dataset.indexingTechnique.rawValue, dataset.embeddingProvider,
                        dataset.embeddingModel, StoredJSON.encode(dataset.retrieval), dataset.updatedAt.storedValue, id.description,
                        workspace.description,
                    ]
                )
                try db.execute(sql: "DELETE FROM dataset_member WHERE dataset_id = ?", arguments: [id.description])
                try Self.setMembers(of: dataset, db)
                return dataset
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RelayError.duplicateDatasetName()
        }
    }

    func delete(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE background_job SET state = 'cancelled', claim_token = NULL WHERE state = 'queued' AND workspace_id = ? AND subject IN (
                        SELECT id FROM dataset_document WHERE dataset_id = ?)
                    """,
                arguments: [workspace.description, id.description]
            )
            try db.execute(sql: "DELETE FROM dataset WHERE id = ? AND workspace_id = ?", arguments: [id.description, workspace.description])
            return db.changesCount > 0
        }
    }

    func usage(of workspace: WorkspaceID) async throws -> DatasetUsage {
        try await writer.read { db in
            let documents = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dataset_document WHERE workspace_id = ?", arguments: [workspace.description]) ?? 0
            let bytes = try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(size), 0) FROM document_segment WHERE workspace_id = ?", arguments: [workspace.description]
            ) ?? 0
            return DatasetUsage(documents: documents, vectorSpace: bytes)
        }
    }

    func revision(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Int? {
        try await writer.read { db in
            try Int.fetchOne(db, sql: "SELECT revision FROM dataset WHERE id = ? AND workspace_id = ?", arguments: [dataset.description, workspace.description])
        }
    }

    // MARK: Documents

    func insert(_ documents: [NewDocument], documentLimit: Int) async throws -> [DatasetDocument]? {
        guard let first = documents.first else { return [] }
        return try await writer.write { db in
            let workspace = first.document.workspaceID.description
            if documentLimit > 0 {
                let held = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dataset_document WHERE workspace_id = ?", arguments: [workspace]) ?? 0
                if held + documents.count > documentLimit { return nil }
            }
            var position = try Int.fetchOne(
                db, sql: "SELECT COALESCE(MAX(position), 0) FROM dataset_document WHERE dataset_id = ?", arguments: [first.document.datasetID.description]
            ) ?? 0
            var stored: [DatasetDocument] = []
            for item in documents {
                var document = item.document
                position += 1
                document.position = position
                try Self.insert(values: document.storedValues, columns: DatasetDocument.columns, into: "dataset_document", db)
                try db.execute(
                    sql: "INSERT INTO document_source (document_id, workspace_id, name, doc_type, content) VALUES (?, ?, ?, ?, ?)",
                    arguments: [document.id.description, workspace, item.source.name, item.source.docType, item.source.content]
                )
                try Self.enqueue(item.job, db)
                stored.append(document)
            }
            return stored
        }
    }

    func documents(of dataset: DatasetID, in workspace: WorkspaceID, keyword: String?, page: Int, limit: Int) async throws -> Page<DatasetDocument> {
        try await writer.read { db in
            var filter = "workspace_id = ? AND dataset_id = ?"
            var arguments: [(any DatabaseValueConvertible)?] = [workspace.description, dataset.description]
            if let keyword, !keyword.isEmpty {
                filter += " AND name LIKE ? ESCAPE '\\'"
                arguments.append("%\(SQLiteAppStore.escapeLike(keyword))%")
            }
            let found = try Self.page(
                db, select: "*", from: "dataset_document", where: filter, arguments: arguments, order: "position DESC", page: page, limit: limit,
                DatasetDocument.init(row:)
            )
            return Page(items: found.items, total: found.total, page: page, limit: limit)
        }
    }

    func documents(inBatch batch: String, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> [DatasetDocument] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM dataset_document WHERE workspace_id = ? AND dataset_id = ? AND batch = ? ORDER BY position",
                arguments: [workspace.description, dataset.description, batch]
            ).map { try DatasetDocument(row: $0) }
        }
    }

    func document(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> DatasetDocument? {
        try await writer.read { db in try Self.document(id, of: dataset, in: workspace, db) }
    }

    func indexingTarget(_ id: DocumentID, in workspace: WorkspaceID) async throws -> (DatasetDocument, Dataset)? {
        try await writer.read { db in
            guard
                let document = try Row.fetchOne(
                    db, sql: "SELECT * FROM dataset_document WHERE id = ? AND workspace_id = ?", arguments: [id.description, workspace.description]
                ).map(DatasetDocument.init(row:)),
                let dataset = try Self.dataset(document.datasetID, in: workspace, db)
            else { return nil }
            return (document, dataset)
        }
    }

    func source(of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSource? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT name, doc_type, content FROM document_source WHERE document_id = ? AND workspace_id = ?",
                arguments: [document.description, workspace.description]
            ).map { DocumentSource(name: $0["name"], docType: $0["doc_type"], content: $0["content"]) }
        }
    }

    func updateDocument(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument? {
        try await writer.write { db in
            guard var document = try Self.document(id, of: dataset, in: workspace, db) else { return nil }
            let wasEnabled = document.enabled
            change(&document)
            try Self.save(document, db)
            if wasEnabled != document.enabled { try Self.bumpRevision(of: dataset, db) }
            return document
        }
    }

    func reindex(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, source: DocumentSource?, clearingSegments: Bool, job: BackgroundJob,
        _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument? {
        try await writer.write { db in
            guard var document = try Self.document(id, of: dataset, in: workspace, db) else { return nil }
            change(&document)
            try Self.save(document, db)
            try Self.cancelJobs(of: id, db)
            if clearingSegments { try db.execute(sql: "DELETE FROM document_segment WHERE document_id = ?", arguments: [id.description]) }
            if let source {
                try db.execute(
                    sql: "UPDATE document_source SET name = ?, doc_type = ?, content = ? WHERE document_id = ?",
                    arguments: [source.name, source.docType, source.content, id.description]
                )
            }
            try Self.enqueue(job, db)
            try Self.bumpRevision(of: dataset, db)
            return document
        }
    }

    func pause(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> DatasetDocument? {
        try await writer.write { db in
            guard var document = try Self.document(id, of: dataset, in: workspace, db) else { return nil }
            guard document.isIndexing else { return document }
            document.status = .paused
            document.pausedAt = date
            document.updatedAt = date
            try Self.save(document, db)
            try Self.cancelJobs(of: id, db)
            return document
        }
    }

    func deleteDocument(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try Self.cancelJobs(of: id, db)
            try db.execute(
                sql: "DELETE FROM dataset_document WHERE id = ? AND dataset_id = ? AND workspace_id = ?",
                arguments: [id.description, dataset.description, workspace.description]
            )
            let deleted = db.changesCount > 0
            if deleted { try Self.bumpRevision(of: dataset, db) }
            return deleted
        }
    }

    // MARK: Segments

    func segments(
        of document: DocumentID, in workspace: WorkspaceID, keyword: String?, enabled: Bool?, page: Int, limit: Int
    ) async throws -> Page<DocumentSegment> {
        try await writer.read { db in
            var filter = "s.workspace_id = ? AND s.document_id = ?"
            var arguments: [(any DatabaseValueConvertible)?] = [workspace.description, document.description]
            if let keyword, !keyword.isEmpty {
                filter += " AND s.content LIKE ? ESCAPE '\\'"
                arguments.append("%\(SQLiteAppStore.escapeLike(keyword))%")
            }
            if let enabled {
                filter += " AND s.enabled = ?"
                arguments.append(enabled)
            }
            let found = try Self.page(
                db, select: DocumentSegment.listedColumns, from: "document_segment s", where: filter, arguments: arguments, order: "s.position",
                page: page, limit: limit
            ) { try DocumentSegment(row: $0) }
            return Page(items: found.items, total: found.total, page: page, limit: limit)
        }
    }

    func segment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSegment? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM document_segment s WHERE s.id = ? AND s.document_id = ? AND s.workspace_id = ?",
                arguments: [id.description, document.description, workspace.description]
            ).map { try DocumentSegment(row: $0, withVector: true) }
        }
    }

    func segmentPositions(of document: DocumentID, in workspace: WorkspaceID) async throws -> Set<Int> {
        try await writer.read { db in
            Set(
                try Int.fetchAll(
                    db, sql: "SELECT position FROM document_segment WHERE document_id = ? AND workspace_id = ?",
                    arguments: [document.description, workspace.description]
                )
            )
        }
    }

    func storeIndexed(
        _ segments: [DocumentSegment], of document: DocumentID, in workspace: WorkspaceID, claim: JobClaim,
        _ progress: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> Bool {
        try await writer.write { db in
            guard try Self.holds(claim, db) else { return false }
            guard
                var stored = try Row.fetchOne(
                    db, sql: "SELECT * FROM dataset_document WHERE id = ? AND workspace_id = ?", arguments: [document.description, workspace.description]
                ).map(DatasetDocument.init(row:))
            else { return false }
            for segment in segments {
                try Self.insert(values: segment.storedValues, columns: DocumentSegment.columns, into: "document_segment", onConflictIgnore: true, db)
            }
            progress(&stored)
            try Self.save(stored, db)
            if !segments.isEmpty { try Self.bumpRevision(of: stored.datasetID, db) }
            return true
        }
    }

    func append(_ segments: [DocumentSegment], to document: DocumentID, in workspace: WorkspaceID, vectorSpaceLimit: Int) async throws
        -> [DocumentSegment]?
    {
        guard let first = segments.first else { return [] }
        return try await writer.write { db in
            if vectorSpaceLimit > 0 {
                let held = try Int.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(size), 0) FROM document_segment WHERE workspace_id = ?", arguments: [workspace.description]
                ) ?? 0
                if held + segments.reduce(0, { $0 + $1.storedSize }) > vectorSpaceLimit { return nil }
            }
            var position = try Int.fetchOne(
                db, sql: "SELECT COALESCE(MAX(position), 0) FROM document_segment WHERE document_id = ?", arguments: [document.description]
            ) ?? 0
            var stored: [DocumentSegment] = []
            for var segment in segments {
                position += 1
                segment.position = position
                try Self.insert(values: segment.storedValues, columns: DocumentSegment.columns, into: "document_segment", db)
                stored.append(segment)
            }
            try Self.refreshTotals(of: document, db)
            try Self.bumpRevision(of: first.datasetID, db)
            return stored
        }
    }

    func replace(_ segment: DocumentSegment, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE document_segment SET content = ?, answer = ?, keywords = ?, word_count = ?, tokens = ?, enabled = ?, index_node_hash = ?,
                    vector = ?, size = ?, updated_at = ? WHERE id = ? AND workspace_id = ?
                    """,
                arguments: [
                    segment.content, segment.answer, StoredJSON.encode(segment.keywords), segment.wordCount, segment.tokens, segment.enabled,
                    segment.indexNodeHash, segment.vector.map(StoredVector.encode), segment.storedSize, segment.updatedAt.storedValue,
                    segment.id.description, workspace.description,
                ]
            )
            guard db.changesCount > 0 else { return false }
            try Self.refreshTotals(of: segment.documentID, db)
            try Self.bumpRevision(of: segment.datasetID, db)
            return true
        }
    }

    func deleteSegment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            guard
                let dataset = try String.fetchOne(
                    db, sql: "SELECT dataset_id FROM document_segment WHERE id = ? AND document_id = ? AND workspace_id = ?",
                    arguments: [id.description, document.description, workspace.description]
                )
            else { return false }
            try db.execute(sql: "DELETE FROM document_segment WHERE id = ?", arguments: [id.description])
            try Self.refreshTotals(of: document, db)
            try db.execute(sql: "UPDATE dataset SET revision = revision + 1 WHERE id = ?", arguments: [dataset])
            return true
        }
    }

    // MARK: Retrieval

    func vectors(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> StoredVectors {
        try await writer.read { db in
            var ids: [SegmentID] = []
            var values: [Float] = []
            var dimensions = 0
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.id, s.vector FROM document_segment s JOIN dataset_document d ON d.id = s.document_id
                    WHERE s.dataset_id = ? AND s.workspace_id = ? AND s.enabled AND d.enabled AND s.vector IS NOT NULL
                    """,
                arguments: [dataset.description, workspace.description]
            )
            while let row = try rows.next() {
                let data: Data = row["vector"]
                if dimensions == 0 { dimensions = data.count / 4 }
                // A vector of another size (the embedding model was changed) cannot be compared with the query.
                guard data.count == dimensions * 4, let id = SegmentID(row["id"] as String) else { continue }
                ids.append(id)
                StoredVector.append(data, to: &values)
            }
            return StoredVectors(segments: ids, dimensions: dimensions, values: values)
        }
    }

    func fullTextSearch(_ terms: [String], in datasets: [DatasetID], workspace: WorkspaceID, limit: Int) async throws -> [(SegmentID, Double)] {
        // Each term quoted, so that nothing in it is read as FTS5 syntax; any term may match.
        let match = terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
        guard !match.isEmpty, !datasets.isEmpty else { return [] }
        let inDatasets = datasets.map { _ in "?" }.joined(separator: ", ")
        let filters = StatementArguments([workspace.description] + datasets.map(\.description))
        return try await writer.read { db in
            // First the index's best few, then their segments: joining every match to its segment and document before
            // ranking cost most of a search (7.5 ms of 10 at 100,000 segments). When matches of other datasets or of
            // disabled segments fill that window, the whole match list is ranked instead.
            func search(window: Int?) throws -> [(SegmentID, Double)] {
                let ranked = window.map { "ORDER BY rank LIMIT \($0)" } ?? ""
                return try Row.fetchAll(
                    db,
                    sql: """
                        WITH hits AS (SELECT rowid AS hit, rank FROM segment_fts WHERE segment_fts MATCH ? \(ranked))
                        SELECT s.id, -hits.rank AS score FROM hits
                        JOIN document_segment s ON s.rowid = hits.hit JOIN dataset_document d ON d.id = s.document_id
                        WHERE s.workspace_id = ? AND s.dataset_id IN (\(inDatasets)) AND s.enabled AND d.enabled
                        ORDER BY hits.rank LIMIT ?
                        """,
                    arguments: [match] + filters + [limit]
                ).compactMap { row in
                    guard let id = SegmentID(row["id"] as String) else { return nil }
                    let rank = max(0, row["score"] as Double)
                    return (id, rank / (rank + 1))
                }
            }
            let window = max(limit * 4, 40)
            let first = try search(window: window)
            return first.count < limit ? try search(window: nil) : first
        }
    }

    // The `+` before `workspace_id` keeps SQLite's planner on the primary key for the id list: without statistics it
    // chose the workspace's index and read every segment of the workspace (300 ms at 100,000 segments, 1 ms now).
    func found(_ ids: [SegmentID], in workspace: WorkspaceID) async throws -> [FoundSegment] {
        guard !ids.isEmpty else { return [] }
        return try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(DocumentSegment.listedColumns), d.name AS document_name, t.name AS dataset_name FROM document_segment s
                    JOIN dataset_document d ON d.id = s.document_id JOIN dataset t ON t.id = s.dataset_id
                    WHERE s.id IN (\(ids.map { _ in "?" }.joined(separator: ", "))) AND +s.workspace_id = ? AND s.enabled AND d.enabled
                    """,
                arguments: StatementArguments(ids.map(\.description) + [workspace.description])
            ).map { row in
                FoundSegment(segment: try DocumentSegment(row: row), documentName: row["document_name"], datasetName: row["dataset_name"])
            }
        }
    }

    func recordHits(_ ids: [SegmentID], in workspace: WorkspaceID) async throws {
        guard !ids.isEmpty else { return }
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE document_segment SET hit_count = hit_count + 1 WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ", "))) AND +workspace_id = ?",
                arguments: StatementArguments(ids.map(\.description) + [workspace.description])
            )
        }
    }

    // MARK: Helpers

    /// One page of `select` from `from` where `filter` holds, in `order`, with the count of all.
    private static func page<Item>(
        _ db: Database, select: String, from: String, where filter: String, arguments: [(any DatabaseValueConvertible)?], order: String,
        page: Int, limit: Int, _ item: (Row) throws -> Item
    ) throws -> (items: [Item], total: Int) {
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(from) WHERE \(filter)", arguments: StatementArguments(arguments)) ?? 0
        let items = try Row.fetchAll(
            db, sql: "SELECT \(select) FROM \(from) WHERE \(filter) ORDER BY \(order) LIMIT ? OFFSET ?",
            arguments: StatementArguments(arguments + [limit, (page - 1) * limit])
        ).map(item)
        return (items, total)
    }

    private static func dataset(_ id: DatasetID, in workspace: WorkspaceID, _ db: Database) throws -> Dataset? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(Dataset.selection) FROM dataset d WHERE d.id = ? AND d.workspace_id = ?",
                arguments: [id.description, workspace.description]
            )
        else { return nil }
        return try Dataset(row: row, partialMembers: members(of: [id.description], in: db)[id.description, default: []])
    }

    private static func members(of datasets: [String], in db: Database) throws -> [String: [AccountID]] {
        guard !datasets.isEmpty else { return [:] }
        var members: [String: [AccountID]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT dataset_id, account_id FROM dataset_member WHERE dataset_id IN (\(datasets.map { _ in "?" }.joined(separator: ", "))) ORDER BY account_id",
            arguments: StatementArguments(datasets)
        ) {
            if let account = AccountID(row["account_id"] as String) { members[row["dataset_id"], default: []].append(account) }
        }
        return members
    }

    private static func setMembers(of dataset: Dataset, _ db: Database) throws {
        for account in dataset.partialMembers {
            try db.execute(
                sql: "INSERT INTO dataset_member (dataset_id, workspace_id, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [dataset.id.description, dataset.workspaceID.description, account.description]
            )
        }
    }

    private static func document(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, _ db: Database) throws -> DatasetDocument? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM dataset_document WHERE id = ? AND dataset_id = ? AND workspace_id = ?",
            arguments: [id.description, dataset.description, workspace.description]
        ).map { try DatasetDocument(row: $0) }
    }

    private static func save(_ document: DatasetDocument, _ db: Database) throws {
        let columns = DatasetDocument.columns.dropFirst(3)
        try db.execute(
            sql: "UPDATE dataset_document SET \(columns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?",
            arguments: StatementArguments(document.storedValues.dropFirst(3).map(\.databaseValue) + [document.id.description])
        )
    }

    /// Word and token totals of a document from its segments, after a user changed them.
    private static func refreshTotals(of document: DocumentID, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE dataset_document SET
                word_count = (SELECT COALESCE(SUM(word_count), 0) FROM document_segment WHERE document_id = ?),
                tokens = (SELECT COALESCE(SUM(tokens), 0) FROM document_segment WHERE document_id = ?),
                completed_segments = (SELECT COUNT(*) FROM document_segment WHERE document_id = ?),
                total_segments = (SELECT COUNT(*) FROM document_segment WHERE document_id = ?)
                WHERE id = ?
                """,
            arguments: StatementArguments(Array(repeating: document.description, count: 5))
        )
    }

    private static func bumpRevision(of dataset: DatasetID, _ db: Database) throws {
        try db.execute(sql: "UPDATE dataset SET revision = revision + 1 WHERE id = ?", arguments: [dataset.description])
    }

    private static func insert(values: [StoredValue], columns: [String], into table: String, onConflictIgnore: Bool = false, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
                + (onConflictIgnore ? " ON CONFLICT DO NOTHING" : ""),
            arguments: StatementArguments(values.map(\.databaseValue))
        )
    }

    // MARK: Jobs in the same transactions

    static func enqueue(_ job: BackgroundJob, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO background_job (id, workspace_id, kind, subject, state, attempts, run_after, created_at)
                VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)
                """,
            arguments: [
                job.id.description, job.workspaceID.description, job.kind.rawValue, job.subject, job.createdAt.storedValue, job.createdAt.storedValue,
            ]
        )
    }

    private static func cancelJobs(of document: DocumentID, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE background_job SET state = 'cancelled', claim_token = NULL WHERE subject = ? AND state = 'queued'",
            arguments: [document.description]
        )
    }

    static func holds(_ claim: JobClaim, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM background_job WHERE id = ? AND claim_token = ? AND state = 'queued'",
            arguments: [claim.job.id.description, claim.token]
        ) ?? false
    }
}

extension StoredValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .text(let text): text.databaseValue
        case .optionalText(let text): text?.databaseValue ?? .null
        case .integer(let number): number.databaseValue
        case .boolean(let flag): flag.databaseValue
        case .date(let date): date?.storedValue.databaseValue ?? .null
        case .bytes(let data): data?.databaseValue ?? .null
        }
    }
}
