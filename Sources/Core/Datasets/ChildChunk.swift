public import Foundation

public typealias ChildChunkID = Identifier<ChildChunk>

/// A piece of a parent segment in a parent-child (`hierarchical_model`) document: children are what semantic search
/// compares with the query, their parent is what retrieval returns.
public struct ChildChunk: Sendable, Equatable {
    /// How it came to be: cut by the indexing pipeline, or written by a user.
    public enum Origin: String, Sendable, Codable {
        case automatic, customized
    }

    public let id: ChildChunkID
    public let workspaceID: WorkspaceID
    public let datasetID: DatasetID
    public let documentID: DocumentID
    public let segmentID: SegmentID
    public var position: Int
    public var content: String
    public var wordCount: Int
    public var type: Origin
    public var indexNodeHash: String
    /// Its embedding, unit length (not read by listings).
    public var vector: [Float]?
    public let createdBy: AccountID?
    public let createdAt: Date
    public var updatedBy: AccountID?
    public var updatedAt: Date

    public init(
        id: ChildChunkID = ChildChunkID(), workspaceID: WorkspaceID, datasetID: DatasetID, documentID: DocumentID, segmentID: SegmentID,
        position: Int, content: String, type: Origin, vector: [Float]? = nil, createdBy: AccountID?, createdAt: Date,
        updatedBy: AccountID? = nil, updatedAt: Date, wordCount: Int? = nil, indexNodeHash: String? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.datasetID = datasetID
        self.documentID = documentID
        self.segmentID = segmentID
        self.position = position
        self.content = content
        // Counted and hashed from the content unless given (as stored rows give them).
        self.wordCount = wordCount ?? content.count
        self.type = type
        self.indexNodeHash = indexNodeHash ?? DatasetService.hash(content)
        self.vector = vector
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }

    /// Bytes it holds against the plan's vector space.
    var storedSize: Int { content.utf8.count + (vector?.count ?? 0) * 4 }
}

/// The form of a document's segments (Dify's `doc_form`): plain chunks, parent chunks with children, or
/// question-and-answer pairs a model wrote from each chunk.
public enum DocumentForm: String, Sendable, Codable, CaseIterable {
    case text = "text_model"
    case hierarchical = "hierarchical_model"
    case questionAnswer = "qa_model"
}
