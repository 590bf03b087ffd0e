public import Foundation

/// Which datasets a listing returns.
public struct DatasetQuery: Sendable {
    public var keyword: String?
    public var ids: [DatasetID]?
    /// Only datasets carrying at least one of these tags.
    public var tagIDs: [TagID]?
    /// The account whose permissions apply; `nil` for a dataset API key (every dataset of the workspace).
    public var visibleTo: AccountID?
    /// Whether datasets made by API keys (no creator) are visible to that account: owners and admins see them.
    public var seesKeyMade = false
    public var page: Int
    public var limit: Int

    public init(
        keyword: String? = nil, ids: [DatasetID]? = nil, tagIDs: [TagID]? = nil, visibleTo: AccountID?, page: Int = 1, limit: Int = 20
    ) {
        self.keyword = keyword
        self.ids = ids
        self.tagIDs = tagIDs
        self.visibleTo = visibleTo
        self.page = page
        self.limit = limit
    }
}

/// What a workspace's datasets hold, as the plan counts it.
public struct DatasetUsage: Sendable, Equatable {
    public let documents: Int
    /// Bytes of segment text and vectors.
    public let vectorSpace: Int
}

/// A new document, its source and the indexing job that will read it: stored together or not at all.
public struct NewDocument: Sendable {
    public var document: DatasetDocument
    public let source: DocumentSource
    public let job: BackgroundJob

    public init(document: DatasetDocument, source: DocumentSource, job: BackgroundJob) {
        self.document = document
        self.source = source
        self.job = job
    }
}

/// The segments of one dataset that have embeddings, as one row-major matrix of unit vectors.
public struct StoredVectors: Sendable {
    /// The segment each row stands for (a child chunk's parent), its document, and the child chunk it is, if any.
    public let segments: [SegmentID]
    public let documents: [DocumentID]
    public let children: [ChildChunkID?]
    public let dimensions: Int
    public let values: [Float]
}

/// A segment found by a search, with its document's name, for retrieval records.
public struct FoundSegment: Sendable {
    public let segment: DocumentSegment
    public let documentName: String
    public let datasetName: String
    public var documentType: String = "text"
    public var documentMetadata = DocumentMetadataValues()
}

/// Storage of knowledge bases: datasets, their documents and segments, the vectors and keyword index retrieval searches,
/// and tags (`DatasetStore+Tags.swift`). Every method is scoped by workspace.
public struct DatasetStore: Sendable {
    let database: SQLDatabase

    // MARK: Datasets

    public func datasets(in workspace: WorkspaceID, matching query: DatasetQuery) async throws -> Page<Dataset> {
        var conditions: [SQL] = ["d.workspace_id = \(workspace)"]
        if let account = query.visibleTo {
            conditions.append(
                """
                (d.permission = 'all_team_members' OR d.created_by = \(account) OR (d.created_by IS NULL AND \(query.seesKeyMade))
                    OR (d.permission = 'partial_members'
                    AND EXISTS (SELECT 1 FROM dataset_member m WHERE m.dataset_id = d.id AND m.account_id = \(account))))
                """)
        }
        if let keyword = query.keyword, !keyword.isEmpty {
            conditions.append("\(SQL.contains(column: "d.name", keyword))")
        }
        if let ids = query.ids { conditions.append("d.id IN (\(list: ids))") }
        if let tags = query.tagIDs {
            conditions.append("EXISTS (SELECT 1 FROM dataset_tag_binding b WHERE b.dataset_id = d.id AND b.tag_id IN (\(list: tags)))")
        }
        let filter = SQL.joined(conditions, separator: " AND ")
        return try await database.read(.workspace(workspace)) { transaction in
            let (rows, total) = try await Self.page(
                select: Dataset.selection, from: "dataset d", where: filter, order: "d.created_at DESC, d.id", page: query.page,
                limit: query.limit, transaction)
            let members = try await Self.members(of: rows.map { try $0.identifier("id") }, transaction)
            let items = try rows.map { row in try Dataset(row: row, partialMembers: members[try row.identifier("id"), default: []]) }
            return Page(items: items, total: total, page: query.page, limit: query.limit)
        }
    }

    public func dataset(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Dataset? {
        try await database.read(.workspace(workspace)) { transaction in try await Self.dataset(id, in: workspace, transaction) }
    }

    /// Throws `invalid_param` on `name` when the workspace has a dataset of that name.
    public func insert(_ dataset: Dataset) async throws {
        do {
            try await database.write(.workspace(dataset.workspaceID)) { transaction in
                try await transaction.execute(
                    """
                    INSERT INTO dataset (id, workspace_id, name, description, permission, indexing_technique, embedding_provider,
                    embedding_model, retrieval_model, revision, created_by, created_at, updated_at)
                    VALUES (\(dataset.id), \(dataset.workspaceID), \(dataset.name), \(dataset.description), \(dataset.permission.rawValue),
                    \(dataset.indexingTechnique.rawValue), \(dataset.embeddingProvider), \(dataset.embeddingModel),
                    \(StoredJSON.encode(dataset.retrieval)), 0, \(dataset.createdBy), \(dataset.createdAt), \(dataset.updatedAt))
                    """)
                try await Self.setMembers(of: dataset, transaction)
            }
        } catch  where SQLTransaction.isUniqueViolation(error) {
            throw RelayError.duplicateDatasetName()
        }
    }

    public func update(
        _ id: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout Dataset) -> Void
    ) async throws -> Dataset? {
        do {
            return try await database.write(.workspace(workspace)) { transaction -> Dataset? in
                // Held until the change is written, so that concurrent changes of different fields both stand.
                try await transaction.execute("SELECT id FROM dataset WHERE id = \(id) AND workspace_id = \(workspace)\(Self.forUpdate)")
                guard var dataset = try await Self.dataset(id, in: workspace, transaction) else { return nil }
                change(&dataset)
                try await transaction.execute(
                    """
                    UPDATE dataset SET name = \(dataset.name), description = \(dataset.description),
                    permission = \(dataset.permission.rawValue), indexing_technique = \(dataset.indexingTechnique.rawValue),
                    embedding_provider = \(dataset.embeddingProvider), embedding_model = \(dataset.embeddingModel),
                    retrieval_model = \(StoredJSON.encode(dataset.retrieval)), updated_at = \(dataset.updatedAt), revision = revision + 1
                    WHERE id = \(id) AND workspace_id = \(workspace)
                    """)
                try await transaction.execute("DELETE FROM dataset_member WHERE dataset_id = \(id)")
                try await Self.setMembers(of: dataset, transaction)
                return dataset
            }
        } catch  where SQLTransaction.isUniqueViolation(error) {
            throw RelayError.duplicateDatasetName()
        }
    }

    /// Deletes the dataset with its documents, segments and pending jobs.
    public func delete(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                UPDATE background_job SET state = 'cancelled', claim_token = NULL WHERE state = 'queued' AND workspace_id = \(workspace)
                AND subject IN (SELECT id FROM dataset_document WHERE dataset_id = \(id))
                """)
            return try await transaction.changes("DELETE FROM dataset WHERE id = \(id) AND workspace_id = \(workspace) RETURNING id") > 0
        }
    }

    public func usage(of workspace: WorkspaceID) async throws -> DatasetUsage {
        try await database.read(.workspace(workspace)) { transaction in
            let row = try await transaction.row(
                """
                SELECT (SELECT COUNT(*) FROM dataset_document WHERE workspace_id = \(workspace)) AS documents,
                (SELECT COALESCE(SUM(size), 0) FROM document_segment WHERE workspace_id = \(workspace)) AS bytes
                """)
            return DatasetUsage(documents: try row?.int("documents") ?? 0, vectorSpace: try row?.int("bytes") ?? 0)
        }
    }

    /// Counts of a dataset's change: bumped by every change of its segments, so that cached vectors know they are stale.
    public func revision(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Int? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT revision FROM dataset WHERE id = \(dataset) AND workspace_id = \(workspace)")
                .map { try $0.int("revision") }
        }
    }

    // MARK: Documents

    /// Stores the documents (positions after the dataset's last), their sources and jobs, unless the workspace would then
    /// hold more than `documentLimit` documents (0: no limit); `nil` then.
    public func insert(_ documents: [NewDocument], documentLimit: Int) async throws -> [DatasetDocument]? {
        guard let first = documents.first else { return [] }
        let workspace = first.document.workspaceID
        return try await database.write(.workspace(workspace)) { transaction -> [DatasetDocument]? in
            try await Self.lockDocuments(of: workspace, transaction)
            if documentLimit > 0 {
                let held = try await transaction.count("SELECT COUNT(*) AS n FROM dataset_document WHERE workspace_id = \(workspace)")
                if held + documents.count > documentLimit { return nil }
            }
            var position = try await transaction.count(
                "SELECT COALESCE(MAX(position), 0) AS n FROM dataset_document WHERE dataset_id = \(first.document.datasetID)")
            var stored: [DatasetDocument] = []
            for item in documents {
                var document = item.document
                position += 1
                document.position = position
                try await transaction.execute(Self.insert(document.storedValues, columns: DatasetDocument.columns, into: "dataset_document"))
                try await transaction.execute(
                    """
                    INSERT INTO document_source (document_id, workspace_id, name, doc_type, content)
                    VALUES (\(document.id), \(workspace), \(item.source.name), \(item.source.docType), \(item.source.content))
                    """)
                try await JobStore.enqueue(item.job, transaction)
                stored.append(document)
            }
            // The first document fixes the dataset's form.
            try await transaction.execute(
                "UPDATE dataset SET doc_form = COALESCE(doc_form, \(first.document.docForm.rawValue)) WHERE id = \(first.document.datasetID)")
            return stored
        }
    }

    public func documents(
        of dataset: DatasetID, in workspace: WorkspaceID, keyword: String?, status: DocumentDisplayStatus? = nil, page: Int, limit: Int
    ) async throws -> Page<DatasetDocument> {
        var filter: SQL = "x.workspace_id = \(workspace) AND x.dataset_id = \(dataset)"
        if let keyword, !keyword.isEmpty { filter += " AND \(SQL.contains(column: "x.name", keyword))" }
        if let status { filter += " AND \(unescaped: status.condition("x"))" }
        return try await database.read(.workspace(workspace)) { [filter] transaction in
            let (rows, total) = try await Self.page(
                select: DatasetDocument.selection, from: "dataset_document x", where: filter, order: "x.position DESC", page: page, limit: limit,
                transaction)
            return Page(items: try rows.map { try DatasetDocument(row: $0) }, total: total, page: page, limit: limit)
        }
    }

    public func documents(inBatch batch: String, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> [DatasetDocument] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: DatasetDocument.selection) FROM dataset_document x
                WHERE x.workspace_id = \(workspace) AND x.dataset_id = \(dataset) AND x.batch = \(batch) ORDER BY x.position
                """
            ).map { try DatasetDocument(row: $0) }
        }
    }

    public func document(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> DatasetDocument? {
        try await database.read(.workspace(workspace)) { transaction in try await Self.document(id, of: dataset, in: workspace, transaction) }
    }

    /// A document with its dataset, for the indexing job that names only the document.
    public func indexingTarget(_ id: DocumentID, in workspace: WorkspaceID) async throws -> (DatasetDocument, Dataset)? {
        try await database.read(.workspace(workspace)) { transaction -> (DatasetDocument, Dataset)? in
            guard
                let document = try await transaction.row("SELECT * FROM dataset_document WHERE id = \(id) AND workspace_id = \(workspace)")
                    .map(DatasetDocument.init(row:)),
                let dataset = try await Self.dataset(document.datasetID, in: workspace, transaction)
            else { return nil }
            return (document, dataset)
        }
    }

    public func source(of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSource? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                "SELECT name, doc_type, content FROM document_source WHERE document_id = \(document) AND workspace_id = \(workspace)"
            ).map { row in
                DocumentSource(name: try row.string("name"), docType: try row.string("doc_type"), content: try row.optionalData("content") ?? Data())
            }
        }
    }

    public func updateDocument(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument? {
        try await database.write(.workspace(workspace)) { transaction -> DatasetDocument? in
            guard var document = try await Self.document(id, of: dataset, in: workspace, locking: true, transaction) else { return nil }
            let wasSearchable = document.isSearchable
            change(&document)
            try await Self.save(document, transaction)
            if wasSearchable != document.isSearchable { try await Self.bumpRevision(of: dataset, transaction) }
            return try await Self.document(id, of: dataset, in: workspace, transaction) ?? document
        }
    }

    /// Queues the document's indexing again: its pending jobs cancelled, `job` queued, (when given) a new source in
    /// place, and its segments gone when `clearingSegments` (kept for a resumed document, whose job skips them).
    public func reindex(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, source: DocumentSource?, clearingSegments: Bool,
        job: BackgroundJob, _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument? {
        try await database.write(.workspace(workspace)) { transaction -> DatasetDocument? in
            guard var document = try await Self.document(id, of: dataset, in: workspace, locking: true, transaction) else { return nil }
            change(&document)
            try await Self.save(document, transaction)
            try await Self.cancelJobs(of: id, transaction)
            if clearingSegments { try await transaction.execute("DELETE FROM document_segment WHERE document_id = \(id)") }
            if let source {
                try await transaction.execute(
                    """
                    UPDATE document_source SET name = \(source.name), doc_type = \(source.docType), content = \(source.content)
                    WHERE document_id = \(id)
                    """)
            }
            try await JobStore.enqueue(job, transaction)
            try await Self.bumpRevision(of: dataset, transaction)
            return document
        }
    }

    /// Pauses a document being indexed: its pending jobs are cancelled. `nil` when there is no such document.
    public func pause(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> DatasetDocument? {
        try await database.write(.workspace(workspace)) { transaction -> DatasetDocument? in
            guard var document = try await Self.document(id, of: dataset, in: workspace, locking: true, transaction) else { return nil }
            guard document.isIndexing else { return document }
            document.status = .paused
            document.pausedAt = date
            document.updatedAt = date
            try await Self.save(document, transaction)
            try await Self.cancelJobs(of: id, transaction)
            return document
        }
    }

    public func deleteDocument(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await Self.cancelJobs(of: id, transaction)
            let deleted =
                try await transaction.changes(
                    "DELETE FROM dataset_document WHERE id = \(id) AND dataset_id = \(dataset) AND workspace_id = \(workspace) RETURNING id") > 0
            if deleted { try await Self.bumpRevision(of: dataset, transaction) }
            return deleted
        }
    }

    // MARK: Segments

    public func segments(
        of document: DocumentID, in workspace: WorkspaceID, keyword: String?, enabled: Bool?, page: Int, limit: Int
    ) async throws -> Page<DocumentSegment> {
        var filter: SQL = "s.workspace_id = \(workspace) AND s.document_id = \(document)"
        if let keyword, !keyword.isEmpty { filter += " AND \(SQL.contains(column: "s.content", keyword))" }
        if let enabled { filter += " AND s.enabled = \(enabled)" }
        return try await database.read(.workspace(workspace)) { [filter] transaction in
            let (rows, total) = try await Self.page(
                select: DocumentSegment.listedColumns, from: "document_segment s", where: filter, order: "s.position", page: page,
                limit: limit, transaction)
            return Page(items: try rows.map { try DocumentSegment(row: $0) }, total: total, page: page, limit: limit)
        }
    }

    public func segment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSegment? {
        try await database.read(.workspace(workspace)) { transaction in
            // The columns named: PostgreSQL's `*` would also read the generated keyword index (`search`).
            try await transaction.row(
                """
                SELECT \(unescaped: DocumentSegment.listedColumns), s.vector FROM document_segment s
                WHERE s.id = \(id) AND s.document_id = \(document) AND s.workspace_id = \(workspace)
                """
            ).map { try DocumentSegment(row: $0, withVector: true) }
        }
    }

    /// Positions of the document's stored segments, so that a resumed job skips them.
    public func segmentPositions(of document: DocumentID, in workspace: WorkspaceID) async throws -> Set<Int> {
        try await database.read(.workspace(workspace)) { transaction in
            Set(
                try await transaction.rows(
                    "SELECT position FROM document_segment WHERE document_id = \(document) AND workspace_id = \(workspace)"
                ).map { try $0.int("position") })
        }
    }

    /// Stores segments made by the indexing job holding `claim` (nothing when it no longer holds it: `false`), and
    /// applies `progress` to the document in the same transaction. A position already stored is kept as it is.
    /// `clearing`: the document's segments are deleted first.
    public func storeIndexed(
        _ segments: [DocumentSegment], of document: DocumentID, in workspace: WorkspaceID, claim: JobClaim, clearing: Bool = false,
        _ progress: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            // The job's row locked first: a claim taken over meanwhile, or a cancel, cannot interleave with this write.
            guard try await JobStore.holds(claim, transaction) else { return false }
            guard
                var stored = try await transaction.row(
                    "SELECT * FROM dataset_document WHERE id = \(document) AND workspace_id = \(workspace)\(Self.forUpdate)"
                ).map(DatasetDocument.init(row:))
            else { return false }
            if clearing { try await transaction.execute("DELETE FROM document_segment WHERE document_id = \(document)") }
            for segment in segments {
                let added = try await transaction.changes(
                    Self.insert(
                        segment.storedValues, columns: DocumentSegment.columns, into: "document_segment", " ON CONFLICT DO NOTHING RETURNING id"))
                // A parent and its children are stored together or not at all.
                guard added > 0 else { continue }
                for child in segment.childChunks {
                    try await transaction.execute(Self.insert(child.storedValues, columns: ChildChunk.columns, into: "child_chunk"))
                }
            }
            progress(&stored)
            try await Self.save(stored, transaction)
            if !segments.isEmpty { try await Self.bumpRevision(of: stored.datasetID, transaction) }
            return true
        }
    }

    /// Adds segments after the document's last (written by a user, not the pipeline), unless the workspace's vector
    /// space would pass `vectorSpaceLimit` (0: no limit): `nil` then.
    public func append(
        _ segments: [DocumentSegment], to document: DocumentID, in workspace: WorkspaceID, vectorSpaceLimit: Int
    ) async throws -> [DocumentSegment]? {
        guard let first = segments.first else { return [] }
        return try await database.write(.workspace(workspace)) { transaction -> [DocumentSegment]? in
            try await Self.lockDocuments(of: workspace, transaction)
            // The document held too: its indexing job's writes take turns with this one for the positions.
            try await transaction.execute("SELECT id FROM dataset_document WHERE id = \(document)\(Self.forUpdate)")
            if vectorSpaceLimit > 0 {
                let held = try await transaction.count(
                    "SELECT COALESCE(SUM(size), 0) AS n FROM document_segment WHERE workspace_id = \(workspace)")
                if held + segments.reduce(0, { $0 + $1.storedSize }) > vectorSpaceLimit { return nil }
            }
            var position = try await transaction.count(
                "SELECT COALESCE(MAX(position), 0) AS n FROM document_segment WHERE document_id = \(document)")
            var stored: [DocumentSegment] = []
            for var segment in segments {
                position += 1
                segment.position = position
                try await transaction.execute(Self.insert(segment.storedValues, columns: DocumentSegment.columns, into: "document_segment"))
                for child in segment.childChunks {
                    try await transaction.execute(Self.insert(child.storedValues, columns: ChildChunk.columns, into: "child_chunk"))
                }
                stored.append(segment)
            }
            try await Self.refreshTotals(of: document, transaction)
            try await Self.bumpRevision(of: first.datasetID, transaction)
            return stored
        }
    }

    public func replace(_ segment: DocumentSegment, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            let changed = try await transaction.changes(
                """
                UPDATE document_segment SET content = \(segment.content), answer = \(segment.answer),
                keywords = \(StoredJSON.encode(segment.keywords)), word_count = \(segment.wordCount), tokens = \(segment.tokens),
                enabled = \(segment.enabled), index_node_hash = \(segment.indexNodeHash), vector = \(segment.vector.map(StoredVector.encode)),
                size = \(segment.storedSize)
                    + (SELECT COALESCE(SUM(LENGTH(c.content) + COALESCE(LENGTH(c.vector), 0)), 0) FROM child_chunk c WHERE c.segment_id = \(segment.id)),
                updated_at = \(segment.updatedAt), updated_by = \(segment.updatedBy),
                disabled_by = \(segment.disabledBy), disabled_at = \(segment.disabledAt)
                WHERE id = \(segment.id) AND workspace_id = \(workspace) RETURNING id
                """)
            guard changed > 0 else { return false }
            try await Self.refreshTotals(of: segment.documentID, transaction)
            try await Self.bumpRevision(of: segment.datasetID, transaction)
            return true
        }
    }

    public func deleteSegment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            guard
                let dataset: DatasetID = try await transaction.row(
                    """
                    DELETE FROM document_segment WHERE id = \(id) AND document_id = \(document) AND workspace_id = \(workspace)
                    RETURNING dataset_id
                    """
                ).map({ try $0.identifier("dataset_id") })
            else { return false }
            try await Self.refreshTotals(of: document, transaction)
            try await Self.bumpRevision(of: dataset, transaction)
            return true
        }
    }

    // MARK: Retrieval

    public func vectors(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> StoredVectors {
        try await database.read(.workspace(workspace)) { transaction in
            var ids: [SegmentID] = []
            var documents: [DocumentID] = []
            var children: [ChildChunkID?] = []
            var values: [Float] = []
            var dimensions = 0
            // Row by row: a dataset's vectors can be the largest read there is, and only the matrix is kept. A
            // parent-child document's vectors are its children's, each standing for its parent.
            try await transaction.forEachRow(
                """
                SELECT s.id, s.document_id, CAST(NULL AS TEXT) AS child, s.vector FROM document_segment s
                JOIN dataset_document d ON d.id = s.document_id
                WHERE s.dataset_id = \(dataset) AND s.workspace_id = \(workspace) AND s.enabled AND \(unescaped: Self.searchable("d"))
                AND s.vector IS NOT NULL
                UNION ALL
                SELECT c.segment_id AS id, c.document_id, c.id AS child, c.vector FROM child_chunk c
                JOIN document_segment s ON s.id = c.segment_id JOIN dataset_document d ON d.id = c.document_id
                WHERE c.dataset_id = \(dataset) AND c.workspace_id = \(workspace) AND s.enabled AND \(unescaped: Self.searchable("d"))
                AND c.vector IS NOT NULL
                """
            ) { row in
                guard let data = try row.optionalData("vector") else { return }
                if dimensions == 0 { dimensions = data.count / 4 }
                // A vector of another size (the embedding model was changed) cannot be compared with the query.
                guard data.count == dimensions * 4, let id = SegmentID(try row.string("id")), let document = DocumentID(try row.string("document_id"))
                else { return }
                ids.append(id)
                documents.append(document)
                children.append(try row.optionalString("child").flatMap(ChildChunkID.init))
                StoredVector.append(data, to: &values)
            }
            return StoredVectors(segments: ids, documents: documents, children: children, dimensions: dimensions, values: values)
        }
    }

    /// Enabled segments of enabled documents matching any of `terms`, best first, with a 0–1 score (`r / (r + 1)` of
    /// the engine's rank: BM25 on SQLite, `ts_rank_cd` on PostgreSQL).
    /// `documents`: only segments of these (a metadata filter's choice).
    public func fullTextSearch(
        _ terms: [String], in datasets: [DatasetID], workspace: WorkspaceID, limit: Int, documents: Set<DocumentID>? = nil
    ) async throws -> [(SegmentID, Double)] {
        guard !terms.isEmpty, !datasets.isEmpty, documents?.isEmpty != true else { return [] }
        let only: SQL = documents.map { " AND d.id IN (\(list: $0.sorted { $0.description < $1.description }))" } ?? ""
        return try await database.read(.workspace(workspace)) { transaction in
            try await Self.keywordSearch(terms, in: datasets, workspace: workspace, limit: limit, only: only, transaction)
        }
    }

    /// A document whose segments retrieval may return: indexed, enabled and not archived.
    static func searchable(_ alias: String) -> String {
        "\(alias).status = 'completed' AND \(alias).enabled AND NOT \(alias).archived"
    }

    /// The segments (enabled, of enabled documents) among `ids`, with their documents' and datasets' names.
    public func found(_ ids: [SegmentID], in workspace: WorkspaceID) async throws -> [FoundSegment] {
        guard !ids.isEmpty else { return [] }
        return try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: DocumentSegment.listedColumns), d.name AS document_name, t.name AS dataset_name, d.doc_type AS document_type,
                d.doc_metadata AS document_metadata FROM document_segment s
                JOIN dataset_document d ON d.id = s.document_id JOIN dataset t ON t.id = s.dataset_id
                WHERE s.id IN (\(list: ids)) AND \(Self.byPrimaryKey)s.workspace_id = \(workspace) AND s.enabled
                AND \(unescaped: Self.searchable("d"))
                """
            ).map { row in
                FoundSegment(
                    segment: try DocumentSegment(row: row), documentName: try row.string("document_name"),
                    datasetName: try row.string("dataset_name"), documentType: try row.string("document_type"),
                    documentMetadata: try StoredJSON.decode(
                        DocumentMetadataValues.self, try row.string("document_metadata"), column: "doc_metadata"))
            }
        }
    }

    public func recordHits(_ ids: [SegmentID], in workspace: WorkspaceID) async throws {
        guard !ids.isEmpty else { return }
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                UPDATE document_segment SET hit_count = hit_count + 1
                WHERE id IN (\(list: ids)) AND \(Self.byPrimaryKey)workspace_id = \(workspace)
                """)
        }
    }

    // MARK: Engine differences

    /// Keyword search, the one thing the engines do their own way: SQLite's FTS5 index (`segment_fts`, BM25) and
    /// PostgreSQL's generated tsvector column (`search`, `ts_rank_cd`).
    private static func keywordSearch(
        _ terms: [String], in datasets: [DatasetID], workspace: WorkspaceID, limit: Int, only: SQL, _ transaction: SQLTransaction
    ) async throws -> [(SegmentID, Double)] {
        switch transaction.dialect {
        case .sqlite:
            // Each term quoted, so that nothing in it is read as FTS5 syntax; any term may match.
            let match = terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
            // First the index's best few, then their segments: joining every match to its segment and document before
            // ranking cost most of a search (7.5 ms of 10 at 100,000 segments). When matches of other datasets or of
            // disabled segments fill that window, the whole match list is ranked instead.
            func search(window: Int?) async throws -> [(SegmentID, Double)] {
                let ranked = window.map { "ORDER BY rank LIMIT \($0)" } ?? ""
                return try await transaction.rows(
                    """
                    WITH hits AS (SELECT rowid AS hit, rank FROM segment_fts WHERE segment_fts MATCH \(match) \(unescaped: ranked))
                    SELECT s.id, -hits.rank AS score FROM hits
                    JOIN document_segment s ON s.rowid = hits.hit JOIN dataset_document d ON d.id = s.document_id
                    WHERE s.workspace_id = \(workspace) AND s.dataset_id IN (\(list: datasets)) AND s.enabled
                    AND \(unescaped: Self.searchable("d"))\(only)
                    ORDER BY hits.rank LIMIT \(limit)
                    """
                ).compactMap { row in
                    guard let id = SegmentID(try row.string("id")) else { return nil }
                    let rank = max(0, try row.double("score"))
                    return (id, rank / (rank + 1))
                }
            }
            let first = try await search(window: max(limit * 4, 40))
            return first.count < limit ? try await search(window: nil) : first
        case .postgres:
            // Terms as tsquery lexemes, quoted so nothing in them is tsquery syntax; any term may match.
            let query = terms.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
                .joined(separator: " | ")
            // Normalisation 32 is rank / (rank + 1): scores in 0–1.
            return try await transaction.rows(
                """
                SELECT s.id, CAST(ts_rank_cd(s.search, q, 32) AS DOUBLE PRECISION) AS score
                FROM document_segment s JOIN dataset_document d ON d.id = s.document_id, to_tsquery('simple', \(query)) q
                WHERE s.search @@ q AND s.workspace_id = \(workspace) AND s.dataset_id IN (\(list: datasets)) AND s.enabled
                AND \(unescaped: Self.searchable("d"))\(only)
                ORDER BY score DESC LIMIT \(limit)
                """
            ).compactMap { row in
                guard let id = SegmentID(try row.string("id")) else { return nil }
                return (id, try row.double("score"))
            }
        }
    }

    /// Before `workspace_id` where rows are found by a list of primary keys: SQLite's `+` keeps its planner on the primary
    /// key for the id list (without statistics it chose the workspace's index and read every segment of the workspace,
    /// 300 ms at 100,000 segments, 1 ms now). PostgreSQL has no unary `+` for text and plans well without it.
    private static let byPrimaryKey = SQL.dialect(sqlite: "+", postgres: "")

    /// After a `SELECT` of rows about to be changed: PostgreSQL holds them until the transaction ends; SQLite's one writer
    /// already holds the whole database.
    static let forUpdate = SQL.dialect(sqlite: "", postgres: " FOR UPDATE")

    /// As `forUpdate`, for rows that must only stay as they are (not be deleted) until the transaction ends.
    static let forShare = SQL.dialect(sqlite: "", postgres: " FOR SHARE")

    /// One writer of a workspace's documents and segments at a time, so that two uploads cannot both pass the plan's
    /// document or vector-space limit. A lock of its own rather than `lockWorkspace`: holding the workspace's row for a
    /// large upload would also stall every insert that references the workspace (their foreign-key checks share-lock
    /// it). SQLite's one writer already takes them one at a time.
    private static func lockDocuments(of workspace: WorkspaceID, _ transaction: SQLTransaction) async throws {
        try await transaction.lock("documents/" + workspace.description)
    }

    // MARK: Helpers

    /// One page of `select` from `from` where `filter` holds, in `order`, with how many match in all.
    private static func page(
        select: String, from: String, where filter: SQL, order: String, page: Int, limit: Int, _ transaction: SQLTransaction
    ) async throws -> (rows: [StoredRow], total: Int) {
        let total = try await transaction.count("SELECT COUNT(*) AS n FROM \(unescaped: from) WHERE \(filter)")
        let rows = try await transaction.rows(
            """
            SELECT \(unescaped: select) FROM \(unescaped: from) WHERE \(filter) ORDER BY \(unescaped: order)
            LIMIT \(limit) OFFSET \((page - 1) * limit)
            """)
        return (rows, total)
    }

    private static func dataset(_ id: DatasetID, in workspace: WorkspaceID, _ transaction: SQLTransaction) async throws -> Dataset? {
        guard
            let row = try await transaction.row(
                "SELECT \(unescaped: Dataset.selection) FROM dataset d WHERE d.id = \(id) AND d.workspace_id = \(workspace)")
        else { return nil }
        return try Dataset(row: row, partialMembers: try await members(of: [id], transaction)[id, default: []])
    }

    private static func members(of datasets: [DatasetID], _ transaction: SQLTransaction) async throws -> [DatasetID: [AccountID]] {
        guard !datasets.isEmpty else { return [:] }
        var members: [DatasetID: [AccountID]] = [:]
        for row in try await transaction.rows(
            "SELECT dataset_id, account_id FROM dataset_member WHERE dataset_id IN (\(list: datasets)) ORDER BY account_id")
        {
            if let account = AccountID(try row.string("account_id")) { members[try row.identifier("dataset_id"), default: []].append(account) }
        }
        return members
    }

    private static func setMembers(of dataset: Dataset, _ transaction: SQLTransaction) async throws {
        for account in dataset.partialMembers {
            try await transaction.execute(
                """
                INSERT INTO dataset_member (dataset_id, workspace_id, account_id) VALUES (\(dataset.id), \(dataset.workspaceID), \(account))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    private static func document(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, locking: Bool = false, _ transaction: SQLTransaction
    ) async throws -> DatasetDocument? {
        // Locked rows are read plainly (PostgreSQL locks no rows of a query with subqueries in its columns' place).
        try await transaction.row(
            """
            SELECT \(unescaped: locking ? "x.*" : DatasetDocument.selection) FROM dataset_document x
            WHERE x.id = \(id) AND x.dataset_id = \(dataset) AND x.workspace_id = \(workspace)
            \(locking ? forUpdate : "")
            """
        ).map { try DatasetDocument(row: $0) }
    }

    /// Writes every column of the document but its id, workspace and dataset.
    private static func save(_ document: DatasetDocument, _ transaction: SQLTransaction) async throws {
        let assignments = zip(DatasetDocument.columns.dropFirst(3), document.storedValues.dropFirst(3)).map { column, value -> SQL in
            "\(unescaped: column) = \(value)"
        }
        try await transaction.execute("UPDATE dataset_document SET \(SQL.joined(assignments, separator: ", ")) WHERE id = \(document.id)")
    }

    /// Word and token totals of a document from its segments, after a user changed them.
    private static func refreshTotals(of document: DocumentID, _ transaction: SQLTransaction) async throws {
        try await transaction.execute(
            """
            UPDATE dataset_document SET
            word_count = (SELECT COALESCE(SUM(word_count), 0) FROM document_segment WHERE document_id = \(document)),
            tokens = (SELECT COALESCE(SUM(tokens), 0) FROM document_segment WHERE document_id = \(document)),
            completed_segments = (SELECT COUNT(*) FROM document_segment WHERE document_id = \(document)),
            total_segments = (SELECT COUNT(*) FROM document_segment WHERE document_id = \(document))
            WHERE id = \(document)
            """)
    }

    private static func bumpRevision(of dataset: DatasetID, _ transaction: SQLTransaction) async throws {
        try await transaction.execute("UPDATE dataset SET revision = revision + 1 WHERE id = \(dataset)")
    }

    /// One row of `values` in the order of `columns` (the same text every time, so SQLite reuses its prepared statement).
    static func insert(_ values: [SQLValue], columns: [String], into table: String, _ suffix: String = "") -> SQL {
        "INSERT INTO \(unescaped: table) (\(unescaped: columns.joined(separator: ", "))) VALUES (\(list: values))\(unescaped: suffix)"
    }

    private static func cancelJobs(of document: DocumentID, _ transaction: SQLTransaction) async throws {
        try await transaction.execute(
            "UPDATE background_job SET state = 'cancelled', claim_token = NULL WHERE subject = \(document) AND state = 'queued'")
    }
}
