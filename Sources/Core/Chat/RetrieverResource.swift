import Foundation

/// Where a piece of an answer's context came from: one dataset segment given to the model, as Dify's
/// `retriever_resources` lists it in `message_end`, the blocking answer and every stored message.
public struct RetrieverResource: Sendable, Equatable, Codable {
    public let position: Int
    public let datasetID: String
    public let datasetName: String
    public let documentID: String
    public let documentName: String
    public let dataSourceType: String
    public let segmentID: String
    public let retrieverFrom: String
    public let score: Double
    public let hitCount: Int
    public let wordCount: Int
    public let segmentPosition: Int
    public let indexNodeHash: String
    public let content: String

    enum CodingKeys: String, CodingKey {
        case position, score, content
        case datasetID = "dataset_id", datasetName = "dataset_name", documentID = "document_id", documentName = "document_name"
        case dataSourceType = "data_source_type", segmentID = "segment_id", retrieverFrom = "retriever_from", hitCount = "hit_count"
        case wordCount = "word_count", segmentPosition = "segment_position", indexNodeHash = "index_node_hash"
    }

    /// The record found `position`-th (from 1) for a query.
    init(position: Int, _ record: RetrievalRecord) {
        self.position = position
        datasetID = record.segment.datasetID.description
        datasetName = record.datasetName
        documentID = record.segment.documentID.description
        documentName = record.documentName
        dataSourceType = "upload_file"
        segmentID = record.segment.id.description
        retrieverFrom = "api"
        score = record.score
        hitCount = record.segment.hitCount
        wordCount = record.segment.wordCount
        segmentPosition = record.segment.position
        indexNodeHash = record.segment.indexNodeHash
        content = record.segment.content
    }
}
