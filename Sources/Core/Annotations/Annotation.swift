public import Foundation

public typealias AnnotationID = Identifier<Annotation>
public typealias AnnotationSettingID = Identifier<AnnotationSetting>

/// A question with the answer an app's owners wrote for it (Dify's `message_annotations`: the answer is `content` in
/// storage and `answer` on the wire). With annotation reply on, a query close enough to the question is answered with
/// it, without calling the model.
public struct Annotation: Sendable, Equatable {
    public let id: AnnotationID
    public let workspaceID: WorkspaceID
    public let appID: AppID
    /// The logged message it annotates, when it was made from one.
    public let conversationID: ConversationID?
    public let messageID: MessageID?
    public var question: String
    public var content: String
    public var hitCount: Int
    /// Who wrote it: the account, or for an app key the workspace's owner (as Dify names them).
    public let accountID: AccountID?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: AnnotationID = AnnotationID(), workspaceID: WorkspaceID, appID: AppID, conversationID: ConversationID? = nil,
        messageID: MessageID? = nil, question: String, content: String, hitCount: Int = 0, accountID: AccountID?, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.conversationID = conversationID
        self.messageID = messageID
        self.question = question
        self.content = content
        self.hitCount = hitCount
        self.accountID = accountID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Dify's limits on what an annotation holds (its import checks the same).
    public static let maxQuestion = 2_000
    public static let maxAnswer = 10_000

    /// Checks a question and answer as given on the wire; the 400 names the field.
    public static func check(question: String?, answer: String?) throws -> (question: String, answer: String) {
        guard let question, !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw RelayError.required("question") }
        guard let answer, !answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw RelayError.required("answer") }
        guard question.count <= maxQuestion else {
            throw RelayError.invalidParam("question", "question must be at most \(maxQuestion) characters")
        }
        guard answer.count <= maxAnswer else { throw RelayError.invalidParam("answer", "answer must be at most \(maxAnswer) characters") }
        return (question, answer)
    }
}

/// An app's annotation reply, on while it exists: queries are matched against annotation questions with this
/// embedding model, and one scoring at least `scoreThreshold` answers.
public struct AnnotationSetting: Sendable, Equatable {
    public let id: AnnotationSettingID
    public let workspaceID: WorkspaceID
    public let appID: AppID
    public var scoreThreshold: Double
    public var embeddingProvider: String
    public var embeddingModel: String
    public let createdBy: AccountID?
    public let createdAt: Date
    public var updatedBy: AccountID?
    public var updatedAt: Date

    public init(
        id: AnnotationSettingID = AnnotationSettingID(), workspaceID: WorkspaceID, appID: AppID, scoreThreshold: Double,
        embeddingProvider: String, embeddingModel: String, createdBy: AccountID?, createdAt: Date, updatedBy: AccountID?, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.scoreThreshold = scoreThreshold
        self.embeddingProvider = embeddingProvider
        self.embeddingModel = embeddingModel
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }

    /// What annotation vectors made with this setting's model are tagged with: another model's do not compare.
    public var vectorModel: String { embeddingProvider + "/" + embeddingModel }

    /// Checks a score threshold as given (0 to 1); the 400 names the field.
    public static func checkThreshold(_ value: Double?) throws -> Double {
        guard let value else { throw RelayError.required("score_threshold") }
        guard value.isFinite, (0...1).contains(value) else {
            throw RelayError.invalidParam("score_threshold", "score_threshold must be a number from 0 to 1")
        }
        return value
    }
}

/// One time a query was answered from an annotation, with the annotation as it read then.
public struct AnnotationHit: Sendable, Equatable {
    public let id: String
    public let annotationID: AnnotationID
    public let messageID: MessageID?
    /// `api` for queries through the Public API, `console` otherwise.
    public let source: String
    public let question: String
    public let score: Double
    public let annotationQuestion: String
    public let annotationContent: String
    public let createdAt: Date

    public init(
        id: String, annotationID: AnnotationID, messageID: MessageID?, source: String, question: String, score: Double,
        annotationQuestion: String, annotationContent: String, createdAt: Date
    ) {
        self.id = id
        self.annotationID = annotationID
        self.messageID = messageID
        self.source = source
        self.question = question
        self.score = score
        self.annotationQuestion = annotationQuestion
        self.annotationContent = annotationContent
        self.createdAt = createdAt
    }
}

/// A query answered from an annotation: what a message shows in `metadata.annotation_reply`.
public struct AnnotationReply: Sendable, Equatable, Codable {
    public struct Account: Sendable, Equatable, Codable {
        public let id: String
        public let name: String
    }

    public let id: String
    public let account: Account
    /// The answer given.
    public let content: String
    public let score: Double

    public init(annotation: Annotation, accountName: String?, score: Double) {
        self.id = annotation.id.description
        self.account = Account(id: annotation.accountID?.description ?? "", name: accountName ?? "Dify user")
        self.content = annotation.content
        self.score = score
    }

    /// The wire form: `{id, account: {id, name}}`.
    public var json: JSONValue {
        ["id": .string(id), "account": ["id": .string(account.id), "name": .string(account.name)]]
    }
}

/// A page of annotations, as Dify's list answers it.
public struct AnnotationQuery: Sendable {
    public var page: Int
    public var limit: Int
    public var keyword: String?

    public init(page: Int = 1, limit: Int = 20, keyword: String? = nil) {
        self.page = page
        self.limit = limit
        self.keyword = keyword
    }
}
