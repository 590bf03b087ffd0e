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
    public var updatedBy: AccountID?
    /// Its segments' form: fixed by the dataset's first document.
    public var docForm: DocumentForm
    /// The language question-and-answer pairs are written in.
    public var docLanguage: String
    /// Its metadata values, by field id.
    public var metadata: DocumentMetadataValues
    /// Archived documents are kept but neither searched nor editable, until un-archived.
    public var archived: Bool
    public var archivedBy: AccountID?
    public var archivedAt: Date?
    public var disabledBy: AccountID?
    public var disabledAt: Date?
    /// Read, not stored: who Dify names as its creator (for a dataset key, the workspace's owner), and its segments' hits.
    public var creator: AccountID?
    public var hitCount: Int = 0
    /// Read, not stored: the creator's name (the built-in `uploader` field), and its source's size in bytes.
    public var uploaderName: String?
    public var sourceSize = 0

    public init(
        id: DocumentID, workspaceID: WorkspaceID, datasetID: DatasetID, position: Int, name: String, docType: String, dataSourceType: String,
        batch: String, processRule: ProcessRule, status: Status = .waiting, enabled: Bool = true, error: String? = nil, wordCount: Int = 0,
        tokens: Int = 0, completedSegments: Int = 0, totalSegments: Int = 0, processingStartedAt: Date? = nil, parsingCompletedAt: Date? = nil,
        cleaningCompletedAt: Date? = nil, splittingCompletedAt: Date? = nil, completedAt: Date? = nil, pausedAt: Date? = nil,
        createdBy: AccountID?, createdAt: Date, updatedAt: Date, updatedBy: AccountID? = nil, docForm: DocumentForm = .text,
        docLanguage: String = "English", metadata: DocumentMetadataValues = DocumentMetadataValues(), archived: Bool = false,
        archivedBy: AccountID? = nil, archivedAt: Date? = nil, disabledBy: AccountID? = nil, disabledAt: Date? = nil
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
        self.updatedBy = updatedBy
        self.docForm = docForm
        self.docLanguage = docLanguage
        self.metadata = metadata
        self.archived = archived
        self.archivedBy = archivedBy
        self.archivedAt = archivedAt
        self.disabledBy = disabledBy
        self.disabledAt = disabledAt
        self.creator = createdBy
    }

    /// Whether the pipeline still has work to do on it.
    public var isIndexing: Bool { ![.completed, .error, .paused].contains(status) }

    /// Whether retrieval may return its segments.
    public var isSearchable: Bool { enabled && !archived && status == .completed }
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
    public var createdBy: AccountID?
    public var updatedBy: AccountID?
    public var disabledBy: AccountID?
    public var disabledAt: Date?
    /// Its children, in a parent-child document (read with the segment, not stored with it).
    public var childChunks: [ChildChunk] = []
    /// Read, not stored: who Dify names as its creator (for a dataset key, the workspace's owner).
    public var creator: AccountID?

    public init(
        id: SegmentID, workspaceID: WorkspaceID, datasetID: DatasetID, documentID: DocumentID, position: Int, content: String, answer: String? = nil,
        keywords: [String] = [], wordCount: Int, tokens: Int, enabled: Bool = true, hitCount: Int = 0, indexNodeHash: String,
        vector: [Float]? = nil, createdAt: Date, updatedAt: Date, createdBy: AccountID? = nil, updatedBy: AccountID? = nil,
        disabledBy: AccountID? = nil, disabledAt: Date? = nil
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
        self.createdBy = createdBy
        self.updatedBy = updatedBy
        self.disabledBy = disabledBy
        self.disabledAt = disabledAt
        self.creator = createdBy
    }
}

/// What Dify's console shows for a document (`display_status`), and what its document lists filter by.
public enum DocumentDisplayStatus: String, Sendable, CaseIterable {
    case queuing, indexing, paused, error, available, disabled, archived

    public init(_ document: DatasetDocument) {
        switch document.status {
        case .waiting: self = .queuing
        case .paused: self = .paused
        case .error: self = .error
        case .completed: self = document.archived ? .archived : document.enabled ? .available : .disabled
        default: self = .indexing
        }
    }

    /// A list filter's value: Dify's names, with `active` and `enabled` for `available`; `nil` for anything else
    /// (Dify ignores an unknown status).
    public init?(filter: String) {
        switch filter {
        case "active", "enabled": self = .available
        default:
            guard let known = DocumentDisplayStatus(rawValue: filter) else { return nil }
            self = known
        }
    }

    /// The SQL condition on a `dataset_document` row aliased `alias`.
    func condition(_ alias: String) -> String {
        switch self {
        case .queuing: "\(alias).status = 'waiting'"
        case .indexing: "\(alias).status IN ('parsing', 'cleaning', 'splitting', 'indexing')"
        case .paused: "\(alias).status = 'paused'"
        case .error: "\(alias).status = 'error'"
        case .available: "\(alias).status = 'completed' AND \(alias).enabled AND NOT \(alias).archived"
        case .disabled: "\(alias).status = 'completed' AND NOT \(alias).enabled AND NOT \(alias).archived"
        case .archived: "\(alias).status = 'completed' AND \(alias).archived"
        }
    }
}
