import Core
import Foundation
import Hummingbird

/// Annotations, their reply setting, hits and jobs in Dify's shapes, for the service API and the console alike.
enum AnnotationJSON {
    struct Written: Decodable {
        let question: String?
        let answer: String?
        /// Dify's console also takes the answer as `content`.
        let content: String?
        let messageID: String?

        enum CodingKeys: String, CodingKey {
            case question, answer, content
            case messageID = "message_id"
        }
    }

    struct ReplySetting: Decodable {
        let scoreThreshold: Double?
        let embeddingProviderName: String?
        let embeddingModelName: String?

        enum CodingKeys: String, CodingKey {
            case scoreThreshold = "score_threshold"
            case embeddingProviderName = "embedding_provider_name"
            case embeddingModelName = "embedding_model_name"
        }
    }

    static func annotation(_ annotation: Annotation) -> JSONValue {
        [
            "id": .string(annotation.id.description), "question": .string(annotation.question), "answer": .string(annotation.content),
            "hit_count": .number(Double(annotation.hitCount)), "created_at": seconds(annotation.createdAt),
        ]
    }

    /// A page in Dify's envelope: `data`, `has_more`, `limit`, `total`, `page`.
    static func page<Item>(_ page: Page<Item>, _ item: (Item) -> JSONValue) -> JSONValue {
        [
            "data": .array(page.items.map(item)), "has_more": .bool(page.hasMore), "limit": .number(Double(page.limit)),
            "total": .number(Double(page.total)), "page": .number(Double(page.page)),
        ]
    }

    static func setting(_ setting: AnnotationSetting?) -> JSONValue {
        guard let setting else { return ["enabled": false] }
        return [
            "id": .string(setting.id.description), "enabled": true, "score_threshold": .number(setting.scoreThreshold),
            "embedding_model": [
                "embedding_provider_name": .string(setting.embeddingProvider), "embedding_model_name": .string(setting.embeddingModel),
            ],
        ]
    }

    static func hit(_ hit: AnnotationHit) -> JSONValue {
        [
            "id": .string(hit.id), "source": .string(hit.source), "score": .number(hit.score), "question": .string(hit.question),
            "created_at": seconds(hit.createdAt), "match": .string(hit.annotationQuestion), "response": .string(hit.annotationContent),
        ]
    }

    static func job(_ job: BackgroundJob) -> JSONValue {
        ["job_id": .string(job.id.description), "job_status": "waiting"]
    }

    static func status(_ status: BackgroundJob.Status) -> JSONValue {
        ["job_id": .string(status.job.id.description), "job_status": .string(status.state), "error_msg": .string(status.error ?? "")]
    }

    static func seconds(_ date: Date) -> JSONValue { .number(date.timeIntervalSince1970.rounded(.down)) }

    /// `enable` or `disable`, as the job kind it queues.
    static func action(_ text: String) throws -> BackgroundJob.Kind {
        switch text {
        case "enable": .enableAnnotationReply
        case "disable": .disableAnnotationReply
        default: throw RelayError.invalidParam("action", "action must be enable or disable", type: "enum")
        }
    }

    /// Changes the annotation `id` of `app` to the request's question and answer (the service API's PUT and the
    /// console's POST).
    static func update(_ id: AnnotationID, of app: App, from request: Request, with annotations: AnnotationService) async throws -> JSONBody {
        var request = request
        let body = try await request.decodeJSON(as: Written.self)
        return JSONBody(annotation(try await annotations.update(id, question: body.question, answer: body.answer ?? body.content, of: app)))
    }

    /// Turns `app`'s reply on (with the request's setting) or off, as `action` says, and answers the job.
    static func reply(
        _ action: String, of app: App, from request: Request, by account: AccountID?, with annotations: AnnotationService
    ) async throws -> JSONBody {
        var request = request
        guard try Self.action(action) == .enableAnnotationReply else {
            // Dify's SDKs send the setting with `disable` too: it is not needed, but when sent it must be well formed.
            if let body = try await ConversationsController.optionalBody(&request, as: ReplySetting.self), let threshold = body.scoreThreshold {
                _ = try AnnotationSetting.checkThreshold(threshold)
            }
            return JSONBody(job(try await annotations.disable(app)))
        }
        let body = try await request.decodeJSON(as: ReplySetting.self)
        return JSONBody(
            job(
                try await annotations.enable(
                    app, scoreThreshold: body.scoreThreshold, embeddingProvider: body.embeddingProviderName,
                    embeddingModel: body.embeddingModelName, by: account)))
    }

    /// The annotation list's query: `page`, `limit` (Dify's default 20) and `keyword`.
    static func query(_ request: Request) throws -> AnnotationQuery {
        AnnotationQuery(
            page: try request.queryInt("page", default: 1), limit: try request.queryInt("limit", default: 20),
            keyword: try request.queryString("keyword"))
    }
}
