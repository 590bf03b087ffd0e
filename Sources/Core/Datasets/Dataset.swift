public import Foundation

public typealias DatasetID = Identifier<Dataset>
public typealias DocumentID = Identifier<DatasetDocument>
public typealias SegmentID = Identifier<DocumentSegment>

/// A knowledge base: documents split into segments, searchable by keywords and (when `high_quality`) by meaning.
public struct Dataset: Sendable, Equatable {
    /// Who in the workspace may see and change it.
    public enum Permission: String, Sendable, Codable, CaseIterable {
        /// Its creator alone (and nobody else, admins included, as in Dify).
        case onlyMe = "only_me"
        case allTeamMembers = "all_team_members"
        /// Its creator and the members listed in `partialMembers`.
        case partialMembers = "partial_members"
    }

    /// `economy` keeps a keyword index only; `high_quality` adds an embedding of every segment.
    public enum IndexingTechnique: String, Sendable, Codable, CaseIterable {
        case highQuality = "high_quality"
        case economy
    }

    public let id: DatasetID
    public let workspaceID: WorkspaceID
    public var name: String
    public var description: String
    public var permission: Permission
    public var partialMembers: [AccountID]
    public var indexingTechnique: IndexingTechnique
    public var embeddingProvider: String?
    public var embeddingModel: String?
    public var retrieval: RetrievalSettings
    public let createdBy: AccountID?
    public let createdAt: Date
    public var updatedAt: Date
    /// Totals over its documents, filled in when read.
    public var documentCount: Int
    public var wordCount: Int
    /// The tags it carries, filled in where a dataset is shown.
    public var tags: [DatasetTag] = []
    /// Whether its documents show and can be filtered by the built-in metadata fields.
    public var builtInFieldEnabled = false
    /// Its documents' form, set by the first document (`nil` until then).
    public var docForm: DocumentForm?
    public var updatedBy: AccountID?
    /// Read, not stored: who Dify names as its creator (for a dataset key, the workspace's owner), its documents that
    /// retrieval can return, and its metadata fields.
    public var creator: AccountID?
    public var availableDocumentCount = 0
    public var metadataFields: [MetadataField] = []

    public init(
        id: DatasetID, workspaceID: WorkspaceID, name: String, description: String, permission: Permission, partialMembers: [AccountID] = [],
        indexingTechnique: IndexingTechnique, embeddingProvider: String?, embeddingModel: String?, retrieval: RetrievalSettings,
        createdBy: AccountID?, createdAt: Date, updatedAt: Date, documentCount: Int = 0, wordCount: Int = 0
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.description = description
        self.permission = permission
        self.partialMembers = partialMembers
        self.indexingTechnique = indexingTechnique
        self.embeddingProvider = embeddingProvider
        self.embeddingModel = embeddingModel
        self.retrieval = retrieval
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.documentCount = documentCount
        self.wordCount = wordCount
        self.creator = createdBy
    }

    /// Whether `account` (of `role`) may see and change it. `nil` is a dataset API key, which acts for the whole
    /// workspace. A dataset a key made has no creator: its `only_me` and `partial_members` mean the owner and admins.
    public func isVisible(to account: AccountID?, role: Role?) -> Bool {
        guard let account else { return true }
        if createdBy == nil, let role, role.canManageMembers { return true }
        switch permission {
        case .allTeamMembers: return true
        case .onlyMe: return account == createdBy
        case .partialMembers: return account == createdBy || partialMembers.contains(account)
        }
    }
}

/// How a dataset is searched unless a request says otherwise (Dify's `retrieval_model`).
public struct RetrievalSettings: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable {
        case semanticSearch = "semantic_search"
        case fullTextSearch = "full_text_search"
        case hybridSearch = "hybrid_search"
        /// Dify's name for an economy dataset's keyword search; served by the full-text index.
        case keywordSearch = "keyword_search"
    }

    public struct RerankingModel: Sendable, Equatable, Codable {
        public var provider: String
        public var model: String

        enum CodingKeys: String, CodingKey {
            case provider = "reranking_provider_name"
            case model = "reranking_model_name"
        }

        public init(provider: String, model: String) {
            self.provider = provider
            self.model = model
        }
    }

    public struct Weights: Sendable, Equatable, Codable {
        public var semantic: Double
        public var keyword: Double

        enum CodingKeys: String, CodingKey {
            case semantic = "semantic_weight"
            case keyword = "keyword_weight"
        }

        public init(semantic: Double, keyword: Double) {
            self.semantic = semantic
            self.keyword = keyword
        }
    }

    public var method: Method
    public var rerankingEnabled: Bool
    public var rerankingModel: RerankingModel?
    public var weights: Weights
    public var topK: Int
    public var scoreThresholdEnabled: Bool
    public var scoreThreshold: Double

    enum CodingKeys: String, CodingKey {
        case method = "search_method"
        case rerankingEnabled = "reranking_enable"
        case rerankingModel = "reranking_model"
        case weights
        case topK = "top_k"
        case scoreThresholdEnabled = "score_threshold_enabled"
        case scoreThreshold = "score_threshold"
    }

    public static let maxTopK = 100

    public init(
        method: Method, rerankingEnabled: Bool = false, rerankingModel: RerankingModel? = nil,
        weights: Weights = Weights(semantic: 0.7, keyword: 0.3),
        topK: Int = 4, scoreThresholdEnabled: Bool = false, scoreThreshold: Double = 0
    ) {
        self.method = method
        self.rerankingEnabled = rerankingEnabled
        self.rerankingModel = rerankingModel
        self.weights = weights
        self.topK = topK
        self.scoreThresholdEnabled = scoreThresholdEnabled
        self.scoreThreshold = scoreThreshold
    }

    /// Dify's default for a new dataset: semantic search when it has embeddings, keyword search otherwise.
    public static func defaults(for technique: Dataset.IndexingTechnique) -> RetrievalSettings {
        RetrievalSettings(method: technique == .highQuality ? .semanticSearch : .keywordSearch)
    }
}
