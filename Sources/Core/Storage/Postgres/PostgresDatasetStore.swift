import Foundation
import PostgresNIO

struct PostgresDatasetStore: DatasetStore {
    let database: PostgresDatabase

    func inWorkspace<T: Sendable>(_ workspace: WorkspaceID, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await database.transaction(.workspace(workspace), body)
    }

    var logger: Logger { database.logger }

    // MARK: Datasets

    func datasets(in workspace: WorkspaceID, matching query: DatasetQuery) async throws -> Page<Dataset> {
        let account = query.visibleTo?.description
        let pattern = query.keyword.flatMap { $0.isEmpty ? nil : "%\(PostgresAppStore.escapeLike($0))%" }
        let ids = query.ids?.map(\.description)
        let tags = query.tagIDs?.map(\.description)
        let filter: PostgresQuery = """
            d.workspace_id = \(workspace.description)
            AND (\(account)::TEXT IS NULL OR d.permission = 'all_team_members' OR d.created_by = \(account)
                OR (d.created_by IS NULL AND \(query.seesKeyMade)) OR (d.permission = 'partial_members'
                AND EXISTS (SELECT 1 FROM dataset_member m WHERE m.dataset_id = d.id AND m.account_id = \(account))))
            AND (\(pattern)::TEXT IS NULL OR d.name ILIKE \(pattern) ESCAPE '\\')
            AND (\(ids)::TEXT[] IS NULL OR d.id = ANY(\(ids)))
            AND (\(tags)::TEXT[] IS NULL OR EXISTS (SELECT 1 FROM dataset_tag_binding b WHERE b.dataset_id = d.id AND b.tag_id = ANY(\(tags))))
            """
        return try await inWorkspace(workspace) { connection in
            let (rows, total) = try await Self.page(
                connection, logger, select: Dataset.selection, from: "dataset d", where: filter, order: "d.created_at DESC, d.id",
                page: query.page, limit: query.limit
            )
            let members = try await Self.members(of: rows.map { try $0.string("id") }, connection, logger)
            let items = try rows.map { row in try Dataset(row: row, partialMembers: members[try row.string("id"), default: []]) }
            return Page(items: items, total: total, page: query.page, limit: query.limit)
        }
    }

    func dataset(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Dataset? {
        try await inWorkspace(workspace) { connection in try await Self.dataset(id, in: workspace, connection, logger) }
    }

    func insert(_ dataset: Dataset) async throws {
        do {
            try await inWorkspace(dataset.workspaceID) { connection in
                try await connection.run(
                    """
                    INSERT INTO dataset (id, workspace_id, name, description, permission, indexing_technique, embedding_provider, embedding_model,
                    retrieval_model, revision, created_by, created_at, updated_at) VALUES (\(dataset.id.description), \(dataset.workspaceID.description),
                    \(dataset.name), \(dataset.description), \(dataset.permission.rawValue), \(dataset.indexingTechnique.rawValue),
                    \(dataset.embeddingProvider), \(dataset.embeddingModel), \(StoredJSON.encode(dataset.retrieval)), 0, \(dataset.createdBy?.description),
                    \(dataset.createdAt.storedValue), \(dataset.updatedAt.storedValue))
                    """,
                    logger: logger
                )
                try await Self.setMembers(of: dataset, connection, logger)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw RelayError.duplicateDatasetName()
        }
    }

    func update(_ id: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout Dataset) -> Void) async throws -> Dataset? {
        do {
            return try await inWorkspace(workspace) { connection in
                _ = try await connection.rows("SELECT id FROM dataset WHERE id = \(id.description) FOR UPDATE", logger: logger)
                guard var dataset = try await Self.dataset(id, in: workspace, connection, logger) else { return nil }
                change(&dataset)
                try await connection.run(
                    """
                    UPDATE dataset SET name = \(dataset.name), description = \(dataset.description), permission = \(dataset.permission.rawValue),
                    indexing_technique = \(dataset.indexingTechnique.rawValue), embedding_provider = \(dataset.embeddingProvider),
                    embedding_model = \(dataset.embeddingModel), retrieval_model = \(StoredJSON.encode(dataset.retrieval)),
                    updated_at = \(dataset.updatedAt.storedValue), revision = revision + 1 WHERE id = \(id.description) AND workspace_id = \(workspace.description)
                    """,
                    logger: logger
                )
                try await connection.run("DELETE FROM dataset_member WHERE dataset_id = \(id.description)", logger: logger)
                try await Self.setMembers(of: dataset, connection, logger)
                return dataset
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw RelayError.duplicateDatasetName()
        }
    }

    func delete(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await inWorkspace(workspace) { connection in
            try await connection.run(
                """
                UPDATE background_job SET state = 'cancelled', claim_token = NULL WHERE state = 'queued' AND workspace_id = \(workspace.description)
                AND subject IN (SELECT id FROM dataset_document WHERE dataset_id = \(id.description))
                """,
                logger: logger
            )
            return try await connection.changes(
                "DELETE FROM dataset WHERE id = \(id.description) AND workspace_id = \(workspace.description) RETURNING id", logger: logger
            ) > 0
        }
    }

    func usage(of workspace: WorkspaceID) async throws -> DatasetUsage {
        try await inWorkspace(workspace) { connection in
            let row = try await connection.rows(
                """
                SELECT (SELECT COUNT(*) FROM dataset_document WHERE workspace_id = \(workspace.description))::BIGINT AS documents,
                (SELECT COALESCE(SUM(size), 0) FROM document_segment WHERE workspace_id = \(workspace.description))::BIGINT AS bytes
                """,
                logger: logger
            ).first
            return DatasetUsage(documents: try row?.int("documents") ?? 0, vectorSpace: try row?.int("bytes") ?? 0)
        }
    }

    func revision(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Int? {
        try await inWorkspace(workspace) { connection in
            try await connection.rows(
                "SELECT revision FROM dataset WHERE id = \(dataset.description) AND workspace_id = \(workspace.description)", logger: logger
            ).first?.int("revision")
        }
    }

    // MARK: Documents

    func insert(_ documents: [NewDocument], documentLimit: Int) async throws -> [DatasetDocument]? {
        guard let first = documents.first else { return [] }
        let workspace = first.document.workspaceID
        return try await inWorkspace(workspace) { connection in
            // One writer of a workspace's documents at a time, so that two uploads cannot both pass the limit.
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\("documents/" + workspace.description)))", logger: logger)
            if documentLimit > 0 {
                let held = try await connection.rows(
                    "SELECT COUNT(*)::BIGINT AS n FROM dataset_document WHERE workspace_id = \(workspace.description)", logger: logger
                ).first?.int("n") ?? 0
                if held + documents.count > documentLimit { return nil }
            }
            var position = try await connection.rows(
                "SELECT COALESCE(MAX(position), 0)::BIGINT AS n FROM dataset_document WHERE dataset_id = \(first.document.datasetID.description)",
                logger: logger
            ).first?.int("n") ?? 0
            var stored: [DatasetDocument] = []
            for item in documents {
                var document = item.document
                position += 1
                document.position = position
                try await connection.run(Self.insert(document.storedValues, columns: DatasetDocument.columns, into: "dataset_document"), logger: logger)
                try await connection.run(
                    """
                    INSERT INTO document_source (document_id, workspace_id, name, doc_type, content) VALUES (\(document.id.description),
                    \(workspace.description), \(item.source.name), \(item.source.docType), \(ByteBuffer(bytes: item.source.content)))
                    """,
                    logger: logger
                )
                try await PostgresJobStore.enqueue(item.job, connection, logger)
                stored.append(document)
            }
            return stored
        }
    }

    func documents(of dataset: DatasetID, in workspace: WorkspaceID, keyword: String?, page: Int, limit: Int) async throws -> Page<DatasetDocument> {
        let pattern = keyword.flatMap { $0.isEmpty ? nil : "%\(PostgresAppStore.escapeLike($0))%" }
        let filter: PostgresQuery = """
            workspace_id = \(workspace.description) AND dataset_id = \(dataset.description) AND (\(pattern)::TEXT IS NULL OR name ILIKE \(pattern) ESCAPE '\\')
            """
        return try await inWorkspace(workspace) { connection in
            let (rows, total) = try await Self.page(
                connection, logger, select: "*", from: "dataset_document", where: filter, order: "position DESC", page: page, limit: limit
            )
            return Page(items: try rows.map { try DatasetDocument(row: $0) }, total: total, page: page, limit: limit)
        }
    }

    func documents(inBatch batch: String, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> [DatasetDocument] {
        try await inWorkspace(workspace) { connection in
            try await connection.rows(
                """
                SELECT * FROM dataset_document WHERE workspace_id = \(workspace.description) AND dataset_id = \(dataset.description)
                AND batch = \(batch) ORDER BY position
                """,
                logger: logger
            ).map { try DatasetDocument(row: $0) }
        }
    }

    func document(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> DatasetDocument? {
        try await inWorkspace(workspace) { connection in try await Self.document(id, of: dataset, in: workspace, connection, logger) }
    }

    func indexingTarget(_ id: DocumentID, in workspace: WorkspaceID) async throws -> (DatasetDocument, Dataset)? {
        try await inWorkspace(workspace) { connection in
            guard
                let document = try await connection.rows(
                    "SELECT * FROM dataset_document WHERE id = \(id.description) AND workspace_id = \(workspace.description)", logger: logger
                ).first.map(DatasetDocument.init(row:)),
                let dataset = try await Self.dataset(document.datasetID, in: workspace, connection, logger)
            else { return nil }
            return (document, dataset)
        }
    }

    func source(of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSource? {
        try await inWorkspace(workspace) { connection in
            try await connection.rows(
                """
                SELECT name, doc_type, content FROM document_source WHERE document_id = \(document.description)
                AND workspace_id = \(workspace.description)
                """,
                logger: logger
            ).first.map {
                DocumentSource(name: try $0.string("name"), docType: try $0.string("doc_type"), content: try $0.optionalData("content") ?? Data())
            }
        }
    }

    func updateDocument(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument? {
        try await inWorkspace(workspace) { connection in
            guard var document = try await Self.document(id, of: dataset, in: workspace, connection, logger, locking: true) else { return nil }
            let wasEnabled = document.enabled
            change(&document)
            try await Self.save(document, connection, logger)
            if wasEnabled != document.enabled { try await Self.bumpRevision(of: dataset, connection, logger) }
            return document
        }
    }

    func reindex(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, source: DocumentSource?, clearingSegments: Bool, job: BackgroundJob,
        _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument? {
        try await inWorkspace(workspace) { connection in
            guard var document = try await Self.document(id, of: dataset, in: workspace, connection, logger, locking: true) else { return nil }
            change(&document)
            try await Self.save(document, connection, logger)
            try await Self.cancelJobs(of: id, connection, logger)
            if clearingSegments { try await connection.run("DELETE FROM document_segment WHERE document_id = \(id.description)", logger: logger) }
            if let source {
                try await connection.run(
                    """
                    UPDATE document_source SET name = \(source.name), doc_type = \(source.docType), content = \(ByteBuffer(bytes: source.content))
                    WHERE document_id = \(id.description)
                    """,
                    logger: logger
                )
            }
            try await PostgresJobStore.enqueue(job, connection, logger)
            try await Self.bumpRevision(of: dataset, connection, logger)
            return document
        }
    }

    func pause(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> DatasetDocument? {
        try await inWorkspace(workspace) { connection in
            guard var document = try await Self.document(id, of: dataset, in: workspace, connection, logger, locking: true) else { return nil }
            guard document.isIndexing else { return document }
            document.status = .paused
            document.pausedAt = date
            document.updatedAt = date
            try await Self.save(document, connection, logger)
            try await Self.cancelJobs(of: id, connection, logger)
            return document
        }
    }

    func deleteDocument(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await inWorkspace(workspace) { connection in
            try await Self.cancelJobs(of: id, connection, logger)
            let deleted = try await connection.changes(
                """
                DELETE FROM dataset_document WHERE id = \(id.description) AND dataset_id = \(dataset.description)
                AND workspace_id = \(workspace.description) RETURNING id
                """,
                logger: logger
            ) > 0
            if deleted { try await Self.bumpRevision(of: dataset, connection, logger) }
            return deleted
        }
    }

    // MARK: Segments

    func segments(
        of document: DocumentID, in workspace: WorkspaceID, keyword: String?, enabled: Bool?, page: Int, limit: Int
    ) async throws -> Page<DocumentSegment> {
        let pattern = keyword.flatMap { $0.isEmpty ? nil : "%\(PostgresAppStore.escapeLike($0))%" }
        let filter: PostgresQuery = """
            s.workspace_id = \(workspace.description) AND s.document_id = \(document.description)
            AND (\(pattern)::TEXT IS NULL OR s.content ILIKE \(pattern) ESCAPE '\\') AND (\(enabled)::BOOLEAN IS NULL OR s.enabled = \(enabled))
            """
        return try await inWorkspace(workspace) { connection in
            let (rows, total) = try await Self.page(
                connection, logger, select: DocumentSegment.listedColumns, from: "document_segment s", where: filter, order: "s.position",
                page: page, limit: limit
            )
            return Page(items: try rows.map { try DocumentSegment(row: $0) }, total: total, page: page, limit: limit)
        }
    }

    func segment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSegment? {
        try await inWorkspace(workspace) { connection in
            try await connection.rows(
                """
                SELECT * FROM document_segment s WHERE s.id = \(id.description) AND s.document_id = \(document.description)
                AND s.workspace_id = \(workspace.description)
                """,
                logger: logger
            ).first.map { try DocumentSegment(row: $0, withVector: true) }
        }
    }

    func segmentPositions(of document: DocumentID, in workspace: WorkspaceID) async throws -> Set<Int> {
        try await inWorkspace(workspace) { connection in
            Set(
                try await connection.rows(
                    "SELECT position FROM document_segment WHERE document_id = \(document.description) AND workspace_id = \(workspace.description)",
                    logger: logger
                ).map { try $0.int("position") }
            )
        }
    }

    func storeIndexed(
        _ segments: [DocumentSegment], of document: DocumentID, in workspace: WorkspaceID, claim: JobClaim,
        _ progress: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> Bool {
        try await inWorkspace(workspace) { connection in
            // The job's row locked first: a claim taken over meanwhile, or a cancel, cannot interleave with this write.
            guard try await PostgresJobStore.holds(claim, connection, logger) else { return false }
            guard
                var stored = try await connection.rows(
                    """
                    SELECT * FROM dataset_document WHERE id = \(document.description) AND workspace_id = \(workspace.description) FOR UPDATE
                    """,
                    logger: logger
                ).first.map(DatasetDocument.init(row:))
            else { return false }
            for segment in segments {
                try await connection.run(
                    Self.insert(segment.storedValues, columns: DocumentSegment.columns, into: "document_segment", suffix: " ON CONFLICT DO NOTHING"),
                    logger: logger
                )
            }
            progress(&stored)
            try await Self.save(stored, connection, logger)
            if !segments.isEmpty { try await Self.bumpRevision(of: stored.datasetID, connection, logger) }
            return true
        }
    }

    func append(_ segments: [DocumentSegment], to document: DocumentID, in workspace: WorkspaceID, vectorSpaceLimit: Int) async throws
        -> [DocumentSegment]?
    {
        guard let first = segments.first else { return [] }
        return try await inWorkspace(workspace) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\("documents/" + workspace.description)))", logger: logger)
            _ = try await connection.rows("SELECT id FROM dataset_document WHERE id = \(document.description) FOR UPDATE", logger: logger)
            if vectorSpaceLimit > 0 {
                let held = try await connection.rows(
                    "SELECT COALESCE(SUM(size), 0)::BIGINT AS n FROM document_segment WHERE workspace_id = \(workspace.description)", logger: logger
                ).first?.int("n") ?? 0
                if held + segments.reduce(0, { $0 + $1.storedSize }) > vectorSpaceLimit { return nil }
            }
            var position = try await connection.rows(
                "SELECT COALESCE(MAX(position), 0)::BIGINT AS n FROM document_segment WHERE document_id = \(document.description)", logger: logger
            ).first?.int("n") ?? 0
            var stored: [DocumentSegment] = []
            for var segment in segments {
                position += 1
                segment.position = position
                try await connection.run(Self.insert(segment.storedValues, columns: DocumentSegment.columns, into: "document_segment"), logger: logger)
                stored.append(segment)
            }
            try await Self.refreshTotals(of: document, connection, logger)
            try await Self.bumpRevision(of: first.datasetID, connection, logger)
            return stored
        }
    }

    func replace(_ segment: DocumentSegment, in workspace: WorkspaceID) async throws -> Bool {
        try await inWorkspace(workspace) { connection in
            let vector = segment.vector.map { ByteBuffer(bytes: StoredVector.encode($0)) }
            let changed = try await connection.changes(
                """
                UPDATE document_segment SET content = \(segment.content), answer = \(segment.answer), keywords = \(StoredJSON.encode(segment.keywords)),
                word_count = \(segment.wordCount), tokens = \(segment.tokens), enabled = \(segment.enabled), index_node_hash = \(segment.indexNodeHash),
                vector = \(vector), size = \(segment.storedSize), updated_at = \(segment.updatedAt.storedValue)
                WHERE id = \(segment.id.description) AND workspace_id = \(workspace.description) RETURNING id
                """,
                logger: logger
            )
            guard changed > 0 else { return false }
            try await Self.refreshTotals(of: segment.documentID, connection, logger)
            try await Self.bumpRevision(of: segment.datasetID, connection, logger)
            return true
        }
    }

    func deleteSegment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> Bool {
        try await inWorkspace(workspace) { connection in
            guard
                let dataset = try await connection.rows(
                    """
                    DELETE FROM document_segment WHERE id = \(id.description) AND document_id = \(document.description)
                    AND workspace_id = \(workspace.description) RETURNING dataset_id
                    """,
                    logger: logger
                ).first.map({ try $0.string("dataset_id") })
            else { return false }
            try await Self.refreshTotals(of: document, connection, logger)
            try await connection.run("UPDATE dataset SET revision = revision + 1 WHERE id = \(dataset)", logger: logger)
            return true
        }
    }

    // MARK: Retrieval

    func vectors(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> StoredVectors {
        try await inWorkspace(workspace) { connection in
            var ids: [SegmentID] = []
            var values: [Float] = []
            var dimensions = 0
            let rows = try await connection.query(
                """
                SELECT s.id, s.vector FROM document_segment s JOIN dataset_document d ON d.id = s.document_id
                WHERE s.dataset_id = \(dataset.description) AND s.workspace_id = \(workspace.description) AND s.enabled AND d.enabled
                AND s.vector IS NOT NULL
                """,
                logger: logger
            )
            for try await (id, buffer) in rows.decode((String, ByteBuffer).self) {
                if dimensions == 0 { dimensions = buffer.readableBytes / 4 }
                guard buffer.readableBytes == dimensions * 4, let id = SegmentID(id) else { continue }
                ids.append(id)
                StoredVector.append(Data(buffer.readableBytesView), to: &values)
            }
            return StoredVectors(segments: ids, dimensions: dimensions, values: values)
        }
    }

    func fullTextSearch(_ terms: [String], in datasets: [DatasetID], workspace: WorkspaceID, limit: Int) async throws -> [(SegmentID, Double)] {
        // Terms as tsquery lexemes, quoted so nothing in them is tsquery syntax; any term may match.
        let lexemes = terms.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        guard !lexemes.isEmpty, !datasets.isEmpty else { return [] }
        let query = lexemes.joined(separator: " | ")
        let ids = datasets.map(\.description)
        return try await inWorkspace(workspace) { connection in
            // Normalisation 32 is rank / (rank + 1): scores in 0–1.
            try await connection.rows(
                """
                SELECT s.id, ts_rank_cd(s.search, q, 32)::DOUBLE PRECISION AS score
                FROM document_segment s JOIN dataset_document d ON d.id = s.document_id, to_tsquery('simple', \(query)) q
                WHERE s.search @@ q AND s.workspace_id = \(workspace.description) AND s.dataset_id = ANY(\(ids)) AND s.enabled AND d.enabled
                ORDER BY score DESC LIMIT \(limit)
                """,
                logger: logger
            ).compactMap { row in
                guard let id = SegmentID(try row.string("id")) else { return nil }
                return (id, try row.double("score"))
            }
        }
    }

    func found(_ ids: [SegmentID], in workspace: WorkspaceID) async throws -> [FoundSegment] {
        guard !ids.isEmpty else { return [] }
        let list = ids.map(\.description)
        return try await inWorkspace(workspace) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: DocumentSegment.listedColumns), d.name AS document_name, t.name AS dataset_name FROM document_segment s
                JOIN dataset_document d ON d.id = s.document_id JOIN dataset t ON t.id = s.dataset_id
                WHERE s.workspace_id = \(workspace.description) AND s.enabled AND d.enabled AND s.id = ANY(\(list))
                """,
                logger: logger
            ).map { row in
                FoundSegment(
                    segment: try DocumentSegment(row: row), documentName: try row.string("document_name"), datasetName: try row.string("dataset_name")
                )
            }
        }
    }

    func recordHits(_ ids: [SegmentID], in workspace: WorkspaceID) async throws {
        guard !ids.isEmpty else { return }
        let list = ids.map(\.description)
        try await inWorkspace(workspace) { connection in
            try await connection.run(
                "UPDATE document_segment SET hit_count = hit_count + 1 WHERE workspace_id = \(workspace.description) AND id = ANY(\(list))",
                logger: logger
            )
        }
    }

    // MARK: Helpers

    /// A statement made of fixed SQL around an interpolated filter.
    private static func query(_ head: String, _ filter: PostgresQuery, _ tail: String = "") -> PostgresQuery {
        PostgresQuery(unsafeSQL: head + filter.sql + tail, binds: filter.binds)
    }

    /// One page of the rows `filter` matches, in `order`, with how many match in all.
    private static func page(
        _ connection: PostgresConnection, _ logger: Logger, select: String, from: String, where filter: PostgresQuery, order: String, page: Int,
        limit: Int
    ) async throws -> (rows: [PostgresRandomAccessRow], total: Int) {
        let total = try await connection.rows(query("SELECT COUNT(*)::BIGINT AS n FROM \(from) WHERE ", filter), logger: logger).first?.int("n") ?? 0
        let rows = try await connection.rows(
            query("SELECT \(select) FROM \(from) WHERE ", filter, " ORDER BY \(order) LIMIT \(limit) OFFSET \((page - 1) * limit)"), logger: logger
        )
        return (rows, total)
    }

    private static func dataset(_ id: DatasetID, in workspace: WorkspaceID, _ connection: PostgresConnection, _ logger: Logger) async throws -> Dataset? {
        guard
            let row = try await connection.rows(
                "SELECT \(unescaped: Dataset.selection) FROM dataset d WHERE d.id = \(id.description) AND d.workspace_id = \(workspace.description)",
                logger: logger
            ).first
        else { return nil }
        return try Dataset(row: row, partialMembers: try await members(of: [id.description], connection, logger)[id.description, default: []])
    }

    private static func members(of datasets: [String], _ connection: PostgresConnection, _ logger: Logger) async throws -> [String: [AccountID]] {
        guard !datasets.isEmpty else { return [:] }
        var members: [String: [AccountID]] = [:]
        for row in try await connection.rows(
            "SELECT dataset_id, account_id FROM dataset_member WHERE dataset_id = ANY(\(datasets)) ORDER BY account_id", logger: logger
        ) {
            if let account = AccountID(try row.string("account_id")) { members[try row.string("dataset_id"), default: []].append(account) }
        }
        return members
    }

    private static func setMembers(of dataset: Dataset, _ connection: PostgresConnection, _ logger: Logger) async throws {
        for account in dataset.partialMembers {
            try await connection.run(
                """
                INSERT INTO dataset_member (dataset_id, workspace_id, account_id) VALUES (\(dataset.id.description), \(dataset.workspaceID.description),
                \(account.description)) ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
        }
    }

    private static func document(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, _ connection: PostgresConnection, _ logger: Logger, locking: Bool = false
    ) async throws -> DatasetDocument? {
        try await connection.rows(
            """
            SELECT * FROM dataset_document WHERE id = \(id.description) AND dataset_id = \(dataset.description)
            AND workspace_id = \(workspace.description) \(unescaped: locking ? "FOR UPDATE" : "")
            """,
            logger: logger
        ).first.map { try DatasetDocument(row: $0) }
    }

    private static func save(_ document: DatasetDocument, _ connection: PostgresConnection, _ logger: Logger) async throws {
        var bindings = PostgresBindings()
        var assignments: [String] = []
        for (column, value) in zip(DatasetDocument.columns.dropFirst(3), document.storedValues.dropFirst(3)) {
            value.bind(into: &bindings)
            assignments.append("\(column) = $\(bindings.count)")
        }
        bindings.append(document.id.description)
        try await connection.run(
            PostgresQuery(unsafeSQL: "UPDATE dataset_document SET \(assignments.joined(separator: ", ")) WHERE id = $\(bindings.count)", binds: bindings),
            logger: logger
        )
    }

    private static func refreshTotals(of document: DocumentID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let id = document.description
        try await connection.run(
            """
            UPDATE dataset_document SET
            word_count = (SELECT COALESCE(SUM(word_count), 0) FROM document_segment WHERE document_id = \(id)),
            tokens = (SELECT COALESCE(SUM(tokens), 0) FROM document_segment WHERE document_id = \(id)),
            completed_segments = (SELECT COUNT(*) FROM document_segment WHERE document_id = \(id)),
            total_segments = (SELECT COUNT(*) FROM document_segment WHERE document_id = \(id))
            WHERE id = \(id)
            """,
            logger: logger
        )
    }

    private static func bumpRevision(of dataset: DatasetID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.run("UPDATE dataset SET revision = revision + 1 WHERE id = \(dataset.description)", logger: logger)
    }

    private static func insert(_ values: [StoredValue], columns: [String], into table: String, suffix: String = "") -> PostgresQuery {
        var bindings = PostgresBindings(capacity: values.count)
        var placeholders: [String] = []
        for value in values {
            value.bind(into: &bindings)
            placeholders.append("$\(bindings.count)")
        }
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", ")))" + suffix,
            binds: bindings
        )
    }

    private static func cancelJobs(of document: DocumentID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.run(
            "UPDATE background_job SET state = 'cancelled', claim_token = NULL WHERE subject = \(document.description) AND state = 'queued'",
            logger: logger
        )
    }
}

extension StoredValue {
    func bind(into bindings: inout PostgresBindings) {
        switch self {
        case .text(let text): bindings.append(text)
        case .optionalText(let text): if let text { bindings.append(text) } else { bindings.appendNull() }
        case .integer(let number): bindings.append(number)
        case .boolean(let flag): bindings.append(flag)
        case .date(let date): if let date { bindings.append(date.storedValue) } else { bindings.appendNull() }
        case .bytes(let data): if let data { bindings.append(ByteBuffer(bytes: data)) } else { bindings.appendNull() }
        }
    }
}
