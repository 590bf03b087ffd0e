import Core
import Foundation

/// Calls from a plugin back into the host, each allowed only if the manifest grants it: `storage` (a key-value store
/// per plugin and workspace, bounded by `permission.storage.size`). Model, tool and app calls are refused until those
/// services can be called from here.
struct HostCallbacks: Sendable {
    let store: any PluginStore
    let workspace: WorkspaceID
    let declaration: PluginDeclaration

    static let maximumKeyLength = 256

    func answer(_ type: String, _ request: JSONValue, _ sessionType: String) async throws -> [JSONValue] {
        if sessionType == "model" {
            throw RelayError(.forbidden, "permission denied, a model session may not call back into the host")
        }
        switch type {
        case "storage":
            guard declaration.permission.storage else {
                throw RelayError(.forbidden, "permission denied, you need to enable storage access in plugin manifest")
            }
            return [try await storage(request)]
        case "llm", "text_embedding", "rerank", "tts", "speech2text", "moderation", "tool", "app", "node", "upload_file", "system_summary":
            throw RelayError(.forbidden, "this host does not serve \(type) calls from plugins yet")
        default:
            throw RelayError(.invalidParam, "unknown backwards invocation type '\(type)'")
        }
    }

    private func storage(_ request: JSONValue) async throws -> JSONValue {
        guard let key = request["key"].string, !key.isEmpty, key.utf8.count <= Self.maximumKeyLength else {
            throw RelayError(.invalidParam, "a storage key must be 1 to \(Self.maximumKeyLength) bytes")
        }
        let plugin = declaration.pluginID
        switch request["opt"].string {
        case "get":
            guard let value = try await store.storageValue(key, plugin: plugin, in: workspace) else {
                throw RelayError.notFound("no storage value under '\(key)'")
            }
            return ["data": .string(value)]
        case "set":
            guard let value = request["value"].string, value.utf8.count % 2 == 0, value.allSatisfy(\.isHexDigit) else {
                throw RelayError(.invalidParam, "a storage value must be hex-encoded")
            }
            guard try await store.setStorageValue(value, for: key, plugin: plugin, limit: declaration.permission.storageSize, in: workspace) else {
                throw RelayError(.forbidden, "storage limit of \(declaration.permission.storageSize) bytes exceeded")
            }
            return ["data": "ok"]
        case "del":
            _ = try await store.deleteStorageValue(key, plugin: plugin, in: workspace)
            return ["data": "ok"]
        case "exist":
            return ["data": .bool(try await store.storageValue(key, plugin: plugin, in: workspace) != nil)]
        default:
            throw RelayError(.invalidParam, "storage 'opt' must be set, get, del or exist")
        }
    }
}
