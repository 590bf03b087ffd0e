public import Foundation

/// A document of a dataset and where its indexing stands.
public struct DatasetDocument: Sendable, Equatable {
    /// The pipeline's steps in order; `waiting` is the seed's `queuing`.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case waiting, parsing, cleaning, splitting, indexing, completed, error
        /// Paused by a user; resumed from where it stood.
        case paused
    }

    public let id: DocumentID
    public let workspaceID: WorkspaceID
    public let datasetID: DatasetID
    public var position: Int
    public var name: String
    /// The source's kind: `txt`, `md`, `html`, `csv`, `json`, `pdf`, `docx` (or `text` for create-by-text).
    public var docType: String
    public var dataSourceType: String
    /// The upload it came with; several documents of one request share it.
    public var batch: String
    public var processRule: ProcessRule
    public var status: Status
    public var enabled: Bool
    public var error: String?
    public var wordCount: Int
    public var tokens: Int
    public var completedSegments: Int
    public var totalSegments: Int
    public var processingStartedAt: Date?
    public var parsingCompletedAt: Date?
    public var cleaningCompletedAt: Date?
    public var splittingCompletedAt: Date?
    public var completedAt: Date?
    public var pausedAt: Date?
    public let createdBy: AccountID?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: DocumentID, workspaceID: WorkspaceID, datasetID: DatasetID, position: Int, name: String, docType: String, dataSourceType: String,
        batch: String, processRule: ProcessRule, status: Status = .waiting, enabled: Bool = true, error: String? = nil, wordCount: Int = 0,
        tokens: Int = 0, completedSegments: Int = 0, totalSegments: Int = 0, processingStartedAt: Date? = nil, parsingCompletedAt: Date? = nil,
        cleaningCompletedAt: Date? = nil, splittingCompletedAt: Date? = nil, completedAt: Date? = nil, pausedAt: Date? = nil,
        createdBy: AccountID?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.datasetID = datasetID
        self.position = position
        self.name = name
        self.docType = docType
        self.dataSourceType = dataSourceType
        self.batch = batch
        self.processRule = processRule
        self.status = status
        self.enabled = enabled
        self.error = error
        self.wordCount = wordCount
        self.tokens = tokens
        self.completedSegments = completedSegments
        self.totalSegments = totalSegments
        self.processingStartedAt = processingStartedAt
        self.parsingCompletedAt = parsingCompletedAt
        self.cleaningCompletedAt = cleaningCompletedAt
        self.splittingCompletedAt = splittingCompletedAt
        self.completedAt = completedAt
        self.pausedAt = pausedAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the pipeline still has work to do on it.
    public var isIndexing: Bool { ![.completed, .error, .paused].contains(status) }
}

/// A document's source as it arrived: its bytes and what they are.
public struct DocumentSource: Sendable {
    public let name: String
    public let docType: String
    public let content: Data

    public init(name: String, docType: String, content: Data) {
        self.name = name
        self.docType = docType
        self.content = content
    }
}

/// One piece of a document: what retrieval finds and returns.
public struct DocumentSegment: Sendable, Equatable {
    public let id: SegmentID
    public let workspaceID: WorkspaceID
    public let datasetID: DatasetID
    public let documentID: DocumentID
    public var position: Int
    public var content: String
    public var answer: String?
    public var keywords: [String]
    public var wordCount: Int
    public var tokens: Int
    public var enabled: Bool
    public var hitCount: Int
    /// The segment's id in the index and the SHA-256 of its content (Dify's `index_node_id`/`index_node_hash`).
    public var indexNodeHash: String
    /// Its embedding, unit length, when the dataset is `high_quality` (not read by listings).
    public var vector: [Float]?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: SegmentID, workspaceID: WorkspaceID, datasetID: DatasetID, documentID: DocumentID, position: Int, content: String, answer: String? = nil,
        keywords: [String] = [], wordCount: Int, tokens: Int, enabled: Bool = true, hitCount: Int = 0, indexNodeHash: String,
        vector: [Float]? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.datasetID = datasetID
        self.documentID = documentID
        self.position = position
        self.content = content
        self.answer = answer
        self.keywords = keywords
        self.wordCount = wordCount
        self.tokens = tokens
        self.enabled = enabled
        self.hitCount = hitCount
        self.indexNodeHash = indexNodeHash
        self.vector = vector
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
