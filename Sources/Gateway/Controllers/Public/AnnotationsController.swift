import Core
import Foundation
import Hummingbird
import Tenancy

/// The key's app's annotations and annotation reply (Dify's service API `/apps/annotations…`). What a key writes is
/// the workspace owner's, as Dify's key acts as the owner.
struct AnnotationsController {
    let annotations: AnnotationService

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.get("apps/annotations") { request, context in
            let app = try Self.app(context)
            return JSONBody(
                AnnotationJSON.page(
                    try await annotations.annotations(of: app, matching: try AnnotationJSON.query(request)), AnnotationJSON.annotation))
        }
        group.post("apps/annotations") { request, context in
            let app = try Self.app(context)
            var request = request
            let body = try await request.decodeJSON(as: AnnotationJSON.Written.self)
            let annotation = try await annotations.create(question: body.question, answer: body.answer ?? body.content, of: app, by: nil)
            return EditedResponse(status: .created, response: JSONBody(AnnotationJSON.annotation(annotation)))
        }
        group.put("apps/annotations/:annotation_id") { request, context in
            try await AnnotationJSON.update(try context.id("annotation_id"), of: try Self.app(context), from: request, with: annotations)
        }
        group.delete("apps/annotations/:annotation_id") { _, context in
            try await annotations.delete(try context.id("annotation_id") as AnnotationID, of: try Self.app(context))
            return Response(status: .noContent)
        }
        group.post("apps/annotation-reply/:action") { request, context in
            try await AnnotationJSON.reply(
                try context.parameters.require("action"), of: try Self.app(context), from: request, by: nil, with: annotations)
        }
        group.get("apps/annotation-reply/:action/status/:job_id") { _, context in
            let app = try Self.app(context)
            let kind = try AnnotationJSON.action(try context.parameters.require("action"))
            return JSONBody(AnnotationJSON.status(try await annotations.status(of: try context.id("job_id"), kind: kind, of: app)))
        }
    }

    static func app(_ context: PublicContext) throws -> App {
        try context.grant.require(context.grant.app.mode.permission)
        return context.grant.app
    }
}
