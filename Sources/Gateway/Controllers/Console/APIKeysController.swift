import Core
import Foundation
import Hummingbird
import Tenancy

/// App keys (`app-…`) under an app, workspace keys (`ws-…`) with permissions, and dataset keys (`ds-…`) for the
/// knowledge API: Dify's `/datasets/api-keys`, also under each dataset (the keys are the workspace's either way).
struct APIKeysController {
    let apiKeys: APIKeyService
    let datasets: DatasetService

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
        let appID: String?
        let lastUsedAt: Int?
        let createdAt: Int

        enum CodingKeys: String, CodingKey {
            case id, type, token, name, permissions
            case appID = "app_id"
            case lastUsedAt = "last_used_at"
            case createdAt = "created_at"
        }

        init(_ key: APIKey, secret: String? = nil) {
            self.id = key.id.description
            self.type = key.kind.rawValue
            self.token = secret ?? key.hint
            self.name = key.kind == .workspace ? key.name : nil
            self.permissions = key.kind == .workspace ? key.permissions.map(\.rawValue) : nil
            self.appID = key.appID?.description
            self.lastUsedAt = key.lastUsedAt.map { Int($0.timeIntervalSince1970) }
            self.createdAt = Int(key.createdAt.timeIntervalSince1970)
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
        for path in ["datasets/api-keys", "datasets/:dataset_id/api-keys"] {
            group.get(RouterPath(path)) { _, context in
                try await requireDataset(context)
                return KeyList(data: try await apiKeys.datasetKeys(in: context.scope).map { KeyBody($0) })
            }
            group.post(RouterPath(path)) { _, context in
                try await requireDataset(context)
                let issued = try await apiKeys.issueDatasetKey(in: context.scope)
                return EditedResponse(status: .created, response: KeyBody(issued.key, secret: issued.secret))
            }
            group.delete(RouterPath(path + "/:api_key_id")) { _, context in
                try await requireDataset(context)
                try await apiKeys.revokeDatasetKey(try context.id("api_key_id"), in: context.scope)
                return Response(status: .noContent)
            }
        }
    }

    /// Under a dataset's path, the dataset must be one the caller sees.
    private func requireDataset(_ context: WorkspaceContext) async throws {
        guard context.parameters.get("dataset_id") != nil else { return }
        _ = try await datasets.dataset(try context.id("dataset_id"), by: .member(context.scope))
    }
}
