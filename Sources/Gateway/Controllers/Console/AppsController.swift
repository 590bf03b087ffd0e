import Core
import Foundation
import Hummingbird
import Tenancy

/// The workspace's apps: list with filters and pages, create, read, change and delete.
struct AppsController {
    let apps: AppService
    let apiKeys: APIKeyService
    let chat: ChatService

    struct CreateRequest: Decodable {
        let name: String
        let mode: String
        let description: String?
        let icon: String?
        let icon_background: String?
    }

    struct UpdateRequest: Decodable {
        let name: String?
        let description: String?
        let icon: String?
        let icon_background: String?
        let enable_site: Bool?
        let enable_api: Bool?
        let api_rpm: JSONInteger?
        let api_rph: JSONInteger?
    }

    /// An app as the seed shapes it.
    struct AppBody: ResponseCodableBody {
        let id: String
        let name: String
        let mode: String
        let icon_type: String
        let icon: String
        let icon_background: String
        let description: String
        let enable_site: Bool
        let enable_api: Bool
        let api_rpm: Int
        let api_rph: Int
        let is_demo: Bool
        let model_config: JSONValue
        let created_by: String?
        let created_at: Int
        let updated_at: Int

        init(_ app: App, modelConfig: AppModelConfig? = nil) {
            self.id = app.id.description
            self.name = app.name
            self.mode = app.mode.rawValue
            self.icon_type = app.icon.hasPrefix("http://") || app.icon.hasPrefix("https://") ? "image" : "emoji"
            self.icon = app.icon
            self.icon_background = app.iconBackground
            self.description = app.description
            self.enable_site = app.enableSite
            self.enable_api = app.enableAPI
            self.api_rpm = app.apiRPM
            self.api_rph = app.apiRPH
            self.is_demo = app.isDemo
            self.model_config = modelConfig.map(JSONValue.init(encoding:)) ?? .null
            self.created_by = app.createdBy?.description
            self.created_at = Int(app.createdAt.timeIntervalSince1970)
            self.updated_at = Int(app.updatedAt.timeIntervalSince1970)
        }
    }

    struct AppList: ResponseCodableBody {
        let data: [AppBody]
        let total: Int
        let page: Int
        let limit: Int
        let has_more: Bool
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("apps") { request, context in
            let mode = try request.queryString("mode").flatMap { raw -> AppMode? in
                raw.isEmpty || raw == "all" ? nil : try parseEnum(raw, field: "mode")
            }
            let query = AppQuery(
                page: try request.queryInt("page", default: 1), limit: try request.queryInt("limit", default: 30),
                name: request.queryString("name"), mode: mode
            )
            let page = try await apps.list(query, in: context.scope)
            return AppList(data: page.items.map { AppBody($0) }, total: page.total, page: page.page, limit: page.limit, has_more: page.hasMore)
        }
        group.post("apps") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: CreateRequest.self)
            let new = NewApp(
                name: body.name, mode: try parseEnum(body.mode, field: "mode"), description: body.description, icon: body.icon,
                iconBackground: body.icon_background
            )
            return EditedResponse(status: .created, response: AppBody(try await apps.create(new, in: context.scope)))
        }
        group.get("apps/:app_id") { _, context in
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            return AppBody(app, modelConfig: try await chat.modelConfig(of: app))
        }
        group.put("apps/:app_id") { request, context in
            var request = request
            let id: AppID = try context.id("app_id")
            let body = try await request.decodeJSON(as: UpdateRequest.self)
            let changes = AppChanges(
                name: body.name, description: body.description, icon: body.icon, iconBackground: body.icon_background,
                enableSite: body.enable_site, enableAPI: body.enable_api, apiRPM: body.api_rpm?.value, apiRPH: body.api_rph?.value
            )
            let app = try await apps.update(id, with: changes, in: context.scope)
            apiKeys.forgetCachedGrants()
            return AppBody(app)
        }
        group.delete("apps/:app_id") { _, context in
            try await apps.delete(try context.id("app_id"), in: context.scope)
            apiKeys.forgetCachedGrants()
            return SuccessBody()
        }
    }
}
