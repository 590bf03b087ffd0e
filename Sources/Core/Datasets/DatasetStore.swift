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
    public let segments: [SegmentID]
    public let dimensions: Int
    public let values: [Float]
}

/// A segment found by a search, with its document's name, for retrieval records.
public struct FoundSegment: Sendable {
    public let segment: DocumentSegment
    public let documentName: String
    public let datasetName: String
}

public protocol DatasetStore: Sendable {
    // MARK: Datasets
    func datasets(in workspace: WorkspaceID, matching query: DatasetQuery) async throws -> Page<Dataset>
    func dataset(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Dataset?
    /// Throws `invalid_param` on `name` when the workspace has a dataset of that name.
    func insert(_ dataset: Dataset) async throws
    func update(_ id: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout Dataset) -> Void) async throws -> Dataset?
    /// Deletes the dataset with its documents, segments and pending jobs.
    func delete(_ id: DatasetID, in workspace: WorkspaceID) async throws -> Bool
    func usage(of workspace: WorkspaceID) async throws -> DatasetUsage
    /// Counts of a dataset's change: bumped by every change of its segments, so that cached vectors know they are stale.
    func revision(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Int?

    // MARK: Documents
    /// Stores the documents (positions after the dataset's last), their sources and jobs, unless the workspace would then
    /// hold more than `documentLimit` documents (0: no limit); `nil` then.
    func insert(_ documents: [NewDocument], documentLimit: Int) async throws -> [DatasetDocument]?
    func documents(of dataset: DatasetID, in workspace: WorkspaceID, keyword: String?, page: Int, limit: Int) async throws -> Page<DatasetDocument>
    func documents(inBatch batch: String, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> [DatasetDocument]
    func document(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> DatasetDocument?
    /// A document with its dataset, for the indexing job that names only the document.
    func indexingTarget(_ id: DocumentID, in workspace: WorkspaceID) async throws -> (DatasetDocument, Dataset)?
    func source(of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSource?
    func updateDocument(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument?
    /// Queues the document's indexing again: its pending jobs cancelled, `job` queued, (when given) a new source in
    /// place, and its segments gone when `clearingSegments` (kept for a resumed document, whose job skips them).
    func reindex(
        _ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, source: DocumentSource?, clearingSegments: Bool, job: BackgroundJob,
        _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument?
    /// Pauses a document being indexed: its pending jobs are cancelled. `nil` when there is no such document.
    func pause(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> DatasetDocument?
    func deleteDocument(_ id: DocumentID, of dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool

    // MARK: Segments
    func segments(
        of document: DocumentID, in workspace: WorkspaceID, keyword: String?, enabled: Bool?, page: Int, limit: Int
    ) async throws -> Page<DocumentSegment>
    func segment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> DocumentSegment?
    /// Positions of the document's stored segments, so that a resumed job skips them.
    func segmentPositions(of document: DocumentID, in workspace: WorkspaceID) async throws -> Set<Int>
    /// Stores segments made by the indexing job holding `claim` (nothing when it no longer holds it: `false`), and
    /// applies `progress` to the document in the same transaction. A position already stored is kept as it is.
    func storeIndexed(
        _ segments: [DocumentSegment], of document: DocumentID, in workspace: WorkspaceID, claim: JobClaim,
        _ progress: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> Bool
    /// Adds segments after the document's last (written by a user, not the pipeline), unless the workspace's vector
    /// space would pass `vectorSpaceLimit` (0: no limit): `nil` then.
    func append(_ segments: [DocumentSegment], to document: DocumentID, in workspace: WorkspaceID, vectorSpaceLimit: Int) async throws
        -> [DocumentSegment]?
    func replace(_ segment: DocumentSegment, in workspace: WorkspaceID) async throws -> Bool
    func deleteSegment(_ id: SegmentID, of document: DocumentID, in workspace: WorkspaceID) async throws -> Bool

    // MARK: Retrieval
    func vectors(of dataset: DatasetID, in workspace: WorkspaceID) async throws -> StoredVectors
    /// Enabled segments of enabled documents matching any of `terms`, best first, with a 0–1 score (`r / (r + 1)` of
    /// the engine's rank: BM25 on SQLite, `ts_rank_cd` on PostgreSQL).
    func fullTextSearch(_ terms: [String], in datasets: [DatasetID], workspace: WorkspaceID, limit: Int) async throws -> [(SegmentID, Double)]
    /// The segments (enabled, of enabled documents) among `ids`, with their documents' and datasets' names.
    func found(_ ids: [SegmentID], in workspace: WorkspaceID) async throws -> [FoundSegment]
    func recordHits(_ ids: [SegmentID], in workspace: WorkspaceID) async throws

    // MARK: Tags
    /// The workspace's tags by name, each with the number of datasets carrying it.
    func tags(in workspace: WorkspaceID, keyword: String?) async throws -> [DatasetTag]
    func tags(of datasets: [DatasetID], in workspace: WorkspaceID) async throws -> [DatasetID: [DatasetTag]]
    /// Throws `invalid_param` (duplicate) when the workspace has a tag of that name.
    func insertTag(_ tag: DatasetTag) async throws
    /// `nil` when the workspace has no such tag; throws `invalid_param` (duplicate) when another has the name.
    func renameTag(_ id: TagID, to name: String, in workspace: WorkspaceID) async throws -> DatasetTag?
    /// Removes the tag from every dataset too; `false` when the workspace has no such tag.
    func deleteTag(_ id: TagID, in workspace: WorkspaceID) async throws -> Bool
    /// Puts every tag on the dataset (those it has stay), all or none: `false`, and nothing changed, when one of them is
    /// not the workspace's.
    func bind(_ tags: [TagID], to dataset: DatasetID, in workspace: WorkspaceID, at date: Date) async throws -> Bool
    /// `false` when the dataset did not carry the tag.
    func unbind(_ tag: TagID, from dataset: DatasetID, in workspace: WorkspaceID) async throws -> Bool
}
