import Core
import Foundation
import Hummingbird
import Tenancy

/// App keys (`app-…`) under an app, and workspace keys (`ws-…`) with permissions.
struct APIKeysController {
    let apiKeys: APIKeyService

    struct WorkspaceKeyRequest: Decodable {
        let name: String
        let permissions: [String]
    }

    /// A key as listed: `token` is the masked hint, except in the answer to its creation.
    struct KeyBody: ResponseCodableBody {
        let id: String
        let type: String
        let token: String
        let name: String?
        let permissions: [String]?
        let app_id: String?
        let last_used_at: Int?
        let created_at: Int

        init(_ key: APIKey, secret: String? = nil) {
            self.id = key.id.description
            self.type = key.kind.rawValue
            self.token = secret ?? key.hint
            self.name = key.kind == .workspace ? key.name : nil
            self.permissions = key.kind == .workspace ? key.permissions.map(\.rawValue) : nil
            self.app_id = key.appID?.description
            self.last_used_at = key.lastUsedAt.map { Int($0.timeIntervalSince1970) }
            self.created_at = Int(key.createdAt.timeIntervalSince1970)
        }
    }

    struct KeyList: ResponseCodableBody {
        let data: [KeyBody]
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("apps/:app_id/api-keys") { _, context in
            KeyList(data: try await apiKeys.appKeys(of: try context.id("app_id"), in: context.scope).map { KeyBody($0) })
        }
        group.post("apps/:app_id/api-keys") { _, context in
            let issued = try await apiKeys.issueAppKey(for: try context.id("app_id"), in: context.scope)
            return EditedResponse(status: .created, response: KeyBody(issued.key, secret: issued.secret))
        }
        group.delete("apps/:app_id/api-keys/:api_key_id") { _, context in
            try await apiKeys.revokeAppKey(try context.id("api_key_id"), of: try context.id("app_id"), in: context.scope)
            return Response(status: .noContent)
        }
        group.get("api-keys") { _, context in
            KeyList(data: try await apiKeys.workspaceKeys(in: context.scope).map { KeyBody($0) })
        }
        group.post("api-keys") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: WorkspaceKeyRequest.self)
            let permissions: [APIKey.Permission] = try body.permissions.enumerated().map { index, raw in
                try parseEnum(raw, field: "permissions[\(index)]")
            }
            let issued = try await apiKeys.issueWorkspaceKey(named: body.name, permissions: permissions, in: context.scope)
            return EditedResponse(status: .created, response: KeyBody(issued.key, secret: issued.secret))
        }
        group.delete("api-keys/:api_key_id") { _, context in
            try await apiKeys.revokeWorkspaceKey(try context.id("api_key_id"), in: context.scope)
            return Response(status: .noContent)
        }
    }
}
