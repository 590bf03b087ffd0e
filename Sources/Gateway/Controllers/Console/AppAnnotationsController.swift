import Core
import Foundation
import Hummingbird
import Tenancy

/// An app's annotations and annotation reply on the console (Dify's `/console/api/apps/{app_id}/annotations…`);
/// editors and up.
struct AppAnnotationsController {
    let apps: AppService
    let annotations: AnnotationService
    let chat: ChatService

    struct ThresholdRequest: Decodable {
        let scoreThreshold: Double?

        enum CodingKeys: String, CodingKey {
            case scoreThreshold = "score_threshold"
        }
    }

    /// Most annotations one batch delete names.
    static let maxBatch = 100

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("apps/:app_id/annotations") { request, context in
            let app = try await app(context)
            return JSONBody(
                AnnotationJSON.page(
                    try await annotations.annotations(of: app, matching: try AnnotationJSON.query(request)), AnnotationJSON.annotation))
        }
        group.post("apps/:app_id/annotations") { request, context in
            let app = try await app(context)
            var request = request
            let body = try await request.decodeJSON(as: AnnotationJSON.Written.self)
            var message: ChatMessage?
            if let id = body.messageID, !id.isEmpty {
                message = try await chat.logMessage(try Identifier.parse(id, field: "message_id"), of: app).message
            }
            let annotation = try await annotations.create(
                question: body.question, answer: body.answer ?? body.content, of: app, by: context.scope.accountID, message: message)
            return JSONBody(AnnotationJSON.annotation(annotation))
        }
        group.delete("apps/:app_id/annotations") { request, context in
            let app = try await app(context)
            let values = request.queryValues("annotation_id")
            if values.isEmpty {
                _ = try await annotations.delete(nil as [AnnotationID]?, of: app)
            } else {
                guard values.allSatisfy({ !$0.isEmpty }) else {
                    throw RelayError.invalidParam("annotation_id", "annotation_ids are required if the parameter is provided.")
                }
                let ids: [AnnotationID] = try request.queryIDs("annotation_id", limit: Self.maxBatch)
                _ = try await annotations.delete(ids, of: app)
            }
            return Response(status: .noContent)
        }
        group.get("apps/:app_id/annotations/count") { _, context in
            JSONBody(["count": .number(Double(try await annotations.count(of: try await app(context))))])
        }
        group.get("apps/:app_id/annotations/export") { _, context in
            JSONBody(["data": .array(try await annotations.export(of: try await app(context)).map(AnnotationJSON.annotation))])
        }
        group.post("apps/:app_id/annotations/:annotation_id") { request, context in
            try await AnnotationJSON.update(try context.id("annotation_id"), of: try await app(context), from: request, with: annotations)
        }
        group.delete("apps/:app_id/annotations/:annotation_id") { _, context in
            try await annotations.delete(try context.id("annotation_id") as AnnotationID, of: try await app(context))
            return Response(status: .noContent)
        }
        group.get("apps/:app_id/annotations/:annotation_id/hit-histories") { request, context in
            let app = try await app(context)
            let page = try await annotations.hits(
                of: try context.id("annotation_id"), app: app, page: try request.queryInt("page", default: 1),
                limit: try request.queryInt("limit", default: 20))
            return JSONBody(AnnotationJSON.page(page, AnnotationJSON.hit))
        }
        group.post("apps/:app_id/annotation-reply/:action") { request, context in
            try await AnnotationJSON.reply(
                try context.parameters.require("action"), of: try await app(context), from: request, by: context.scope.accountID,
                with: annotations)
        }
        group.get("apps/:app_id/annotation-reply/:action/status/:job_id") { _, context in
            let app = try await app(context)
            let kind = try AnnotationJSON.action(try context.parameters.require("action"))
            return JSONBody(AnnotationJSON.status(try await annotations.status(of: try context.id("job_id"), kind: kind, of: app)))
        }
        group.get("apps/:app_id/annotation-setting") { _, context in
            JSONBody(AnnotationJSON.setting(try await annotations.setting(of: try await app(context))))
        }
        group.post("apps/:app_id/annotation-settings/:annotation_setting_id") { request, context in
            let app = try await app(context)
            var request = request
            let body = try await request.decodeJSON(as: ThresholdRequest.self)
            let setting = try await annotations.setThreshold(
                body.scoreThreshold, of: try context.id("annotation_setting_id"), app: app, by: context.scope.accountID)
            return JSONBody(AnnotationJSON.setting(setting))
        }
    }

    /// The workspace's app, for an editor: another workspace's is not found, a normal member is refused.
    private func app(_ context: WorkspaceContext) async throws -> App {
        let app = try await apps.find(try context.id("app_id"), in: context.scope)
        try context.scope.require(\.canEditApps, "Only editors, admins and owners can manage an app's annotations")
        return app
    }
}
