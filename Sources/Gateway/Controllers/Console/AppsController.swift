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
        let iconBackground: String?

        enum CodingKeys: String, CodingKey {
            case name, mode, description, icon
            case iconBackground = "icon_background"
        }
    }

    struct UpdateRequest: Decodable {
        let name: String?
        let description: String?
        let icon: String?
        let iconBackground: String?
        let enableSite: Bool?
        let enableAPI: Bool?
        let apiRPM: JSONInteger?
        let apiRPH: JSONInteger?

        enum CodingKeys: String, CodingKey {
            case name, description, icon
            case iconBackground = "icon_background"
            case enableSite = "enable_site"
            case enableAPI = "enable_api"
            case apiRPM = "api_rpm"
            case apiRPH = "api_rph"
        }
    }

    /// An app as the seed shapes it.
    struct AppBody: ResponseCodableBody {
        let id: String
        let name: String
        let mode: String
        let iconType: String
        let icon: String
        let iconBackground: String
        let description: String
        let enableSite: Bool
        let enableAPI: Bool
        let apiRPM: Int
        let apiRPH: Int
        let isDemo: Bool
        let modelConfig: JSONValue
        let createdBy: String?
        let createdAt: Int
        let updatedAt: Int

        enum CodingKeys: String, CodingKey {
            case id, name, mode
            case iconType = "icon_type"
            case icon
            case iconBackground = "icon_background"
            case description
            case enableSite = "enable_site"
            case enableAPI = "enable_api"
            case apiRPM = "api_rpm"
            case apiRPH = "api_rph"
            case isDemo = "is_demo"
            case modelConfig = "model_config"
            case createdBy = "created_by"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }

        init(_ app: App, modelConfig: AppModelConfig? = nil) {
            self.id = app.id.description
            self.name = app.name
            self.mode = app.mode.rawValue
            self.iconType = app.icon.hasPrefix("http://") || app.icon.hasPrefix("https://") ? "image" : "emoji"
            self.icon = app.icon
            self.iconBackground = app.iconBackground
            self.description = app.description
            self.enableSite = app.enableSite
            self.enableAPI = app.enableAPI
            self.apiRPM = app.apiRPM
            self.apiRPH = app.apiRPH
            self.isDemo = app.isDemo
            self.modelConfig = modelConfig.map(JSONValue.init(encoding:)) ?? .null
            self.createdBy = app.createdBy?.description
            self.createdAt = Int(app.createdAt.timeIntervalSince1970)
            self.updatedAt = Int(app.updatedAt.timeIntervalSince1970)
        }
    }

    struct AppList: ResponseCodableBody {
        let data: [AppBody]
        let total: Int
        let page: Int
        let limit: Int
        let hasMore: Bool

        enum CodingKeys: String, CodingKey {
            case data, total, page, limit
            case hasMore = "has_more"
        }
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("apps") { request, context in
            let mode = try request.queryString("mode").flatMap { raw -> AppMode? in
                raw.isEmpty || raw == "all" ? nil : try parseEnum(raw, field: "mode")
            }
            let query = AppQuery(
                page: try request.queryInt("page", default: 1), limit: try request.queryInt("limit", default: 30),
                name: try request.queryString("name"), mode: mode
            )
            let page = try await apps.list(query, in: context.scope)
            return AppList(data: page.items.map { AppBody($0) }, total: page.total, page: page.page, limit: page.limit, hasMore: page.hasMore)
        }
        group.post("apps") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: CreateRequest.self)
            let new = NewApp(
                name: body.name, mode: try parseEnum(body.mode, field: "mode"), description: body.description, icon: body.icon,
                iconBackground: body.iconBackground
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
                name: body.name, description: body.description, icon: body.icon, iconBackground: body.iconBackground,
                enableSite: body.enableSite, enableAPI: body.enableAPI, apiRPM: body.apiRPM?.value, apiRPH: body.apiRPH?.value
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
