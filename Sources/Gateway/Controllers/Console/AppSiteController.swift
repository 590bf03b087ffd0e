import Core
import Foundation
import Hummingbird
import Tenancy

/// An app's web settings on the console (Dify's `POST /console/api/apps/{app_id}/site` and its access-token reset).
struct AppSiteController {
    let apps: AppService

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.post("apps/:app_id/site") { request, context in
            var request = request
            let change = try await request.decodeJSON(as: [String: JSONValue].self)
            return JSONBody(Self.body(try await apps.updateSite(of: try context.id("app_id"), with: change, in: context.scope)))
        }
        group.post("apps/:app_id/site/access-token-reset") { _, context in
            JSONBody(Self.body(try await apps.resetSiteCode(of: try context.id("app_id"), in: context.scope)))
        }
    }

    /// Dify's console site: the settings with the app, its code and who changed it.
    static func body(_ site: StoredSite) -> JSONValue {
        guard case .object(var body) = SiteController.body(site.settings) else { return .null }
        body["app_id"] = .string(site.appID.description)
        body["code"] = .string(site.code)
        body["access_token"] = .string(site.code)
        body["customize_domain"] = site.settings.customizeDomain.map(JSONValue.string) ?? .null
        body["customize_token_strategy"] = .string(site.settings.customizeTokenStrategy)
        body["prompt_public"] = .bool(site.settings.promptPublic)
        body["input_placeholder"] = site.settings.inputPlaceholder.map(JSONValue.string) ?? .null
        body["updated_by"] = site.updatedBy.map { .string($0.description) } ?? .null
        body["updated_at"] = .number(site.updatedAt.timeIntervalSince1970.rounded(.down))
        return .object(body)
    }
}
