import Core
import Foundation
import Hummingbird

/// The model configuration of a chat, completion or agent app: `POST /console/api/apps/{id}/model-config` as in Dify,
/// and a `GET` of the same path.
struct AppModelConfigController {
    let apps: AppService
    let chat: ChatService

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("apps/:app_id/model-config") { _, context in
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            guard let config = try await chat.modelConfig(of: app) else {
                throw RelayError.notFound("This app has no model configuration yet")
            }
            return JSONBody(JSONValue(encoding: config))
        }
        group.post("apps/:app_id/model-config") { request, context in
            try context.scope.require(\.canEditApps, "Only editors, admins and owners can configure apps")
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            var request = request
            let config = try await request.decodeJSON(as: AppModelConfig.self)
            try await chat.saveModelConfig(config, of: app)
            return SuccessBody()
        }
    }
}
