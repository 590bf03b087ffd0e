import Core
import Foundation
import Hummingbird
import PluginHost

/// A workspace's plugins: the catalogue (built-in packages and the workspace's uploads), uploads of `.difypkg`
/// packages, installs and uninstalls (admins and owners), each install with the sandbox its process runs under.
struct PluginsController {
    let installs: PluginInstallService

    struct InstallRequest: Decodable {
        let pluginUniqueIdentifier: String

        enum CodingKeys: String, CodingKey {
            case pluginUniqueIdentifier = "plugin_unique_identifier"
        }
    }

    struct InstallPackagesRequest: Decodable {
        let pluginUniqueIdentifiers: [String]

        enum CodingKeys: String, CodingKey {
            case pluginUniqueIdentifiers = "plugin_unique_identifiers"
        }
    }

    struct UninstallRequest: Decodable {
        let pluginInstallationID: String

        enum CodingKeys: String, CodingKey {
            case pluginInstallationID = "plugin_installation_id"
        }
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        let installs = self.installs
        let base = group.group("workspaces/current")
        // The seed's catalogue: what this workspace may install, and what it has.
        base.get("plugins") { request, context in
            let page = try Self.positive(request, "page", 1)
            let pageSize = min(try Self.positive(request, "page_size", 20), 100)
            let category = try request.queryString("category")
            let search = try request.queryString("search")?.lowercased()
            let installed = try await installs.installs(in: context.scope.workspaceID)
            var entries: [(identifier: String, declaration: PluginDeclaration)] = await installs.catalogue.builtInPackages
            for item in installed where !entries.contains(where: { $0.identifier == item.install.identifier }) {
                entries.append((item.install.identifier, item.declaration))
            }
            entries = entries.filter { entry in
                (category == nil || category == "" || entry.declaration.category == category)
                    && (search == nil || search == "" || Self.matches(entry.declaration, search!))
            }
            let total = entries.count
            let slice = entries.dropFirst((page - 1) * pageSize).prefix(pageSize)
            return JSONBody([
                "plugins": .array(
                    slice.map { entry in
                        let current = installed.first { $0.declaration.pluginID == entry.declaration.pluginID }
                        let latest =
                            entries.filter { $0.declaration.pluginID == entry.declaration.pluginID }.map(\.declaration.version).max()
                            ?? entry.declaration.version
                        return [
                            "plugin_id": .string(entry.declaration.pluginID), "plugin_unique_identifier": .string(entry.identifier),
                            "name": .string(entry.declaration.name), "description": Self.text(entry.declaration.manifest["description"]),
                            "version": .string(entry.declaration.version), "author": .string(entry.declaration.author),
                            "icon": entry.declaration.manifest["icon"], "category": .string(entry.declaration.category),
                            "tags": .array(entry.declaration.manifest["tags"].array), "verified": .bool(false), "install_count": 0,
                            "installed": .bool(current != nil), "latest_version": .string(latest),
                            "current_version": current.map { .string($0.declaration.version) } ?? .null,
                        ]
                    }
                ),
                "total": .number(Double(total)),
            ])
        }
        base.post("plugins/install") { request, context in
            try context.scope.require(\.canManageMembers, "Only admins and owners can install plugins")
            var request = request
            let body = try await request.decodeJSON(as: InstallRequest.self)
            let installed = try await installs.install(body.pluginUniqueIdentifier, in: context.scope.workspaceID)
            return JSONBody(["result": "success", "plugin": await Self.detail(installed, installs: installs)])
        }
        base.get("plugin/list") { request, context in
            let page = try Self.positive(request, "page", 1)
            let pageSize = min(try Self.positive(request, "page_size", 100), 256)
            let installed = try await installs.installs(in: context.scope.workspaceID)
            var plugins: [JSONValue] = []
            for item in installed.dropFirst((page - 1) * pageSize).prefix(pageSize) {
                plugins.append(await Self.detail(item, installs: installs))
            }
            return JSONBody(["plugins": .array(plugins), "total": .number(Double(installed.count))])
        }
        base.post("plugin/upload/pkg") { request, context in
            try context.scope.require(\.canManageMembers, "Only admins and owners can upload plugins")
            let (_, file) = try await MultipartUpload.read(request, fileField: "pkg") { _ in
                MultipartMemoryFile(limit: PluginInstallService.maximumPackageSize, field: "pkg")
            }
            guard let file, !file.data.isEmpty else {
                throw RelayError(.noFileUploaded, "Send the package as the multipart file field 'pkg'")
            }
            let (identifier, declaration) = try await installs.upload(file.data, in: context.scope.workspaceID)
            return JSONBody(["unique_identifier": .string(identifier), "manifest": Self.declaration(declaration)])
        }
        base.post("plugin/install/pkg") { request, context in
            try context.scope.require(\.canManageMembers, "Only admins and owners can install plugins")
            var request = request
            let body = try await request.decodeJSON(as: InstallPackagesRequest.self)
            guard !body.pluginUniqueIdentifiers.isEmpty else { throw RelayError.required("plugin_unique_identifiers") }
            var plugins: [JSONValue] = []
            for identifier in body.pluginUniqueIdentifiers {
                plugins.append(await Self.detail(try await installs.install(identifier, in: context.scope.workspaceID), installs: installs))
            }
            return JSONBody(["all_installed": true, "task_id": "", "plugins": .array(plugins)])
        }
        base.post("plugin/uninstall") { request, context in
            try context.scope.require(\.canManageMembers, "Only admins and owners can uninstall plugins")
            var request = request
            let body = try await request.decodeJSON(as: UninstallRequest.self)
            guard let id = PluginInstallID(body.pluginInstallationID) else {
                throw RelayError.notFound("No plugin install '\(body.pluginInstallationID)' in this workspace")
            }
            try await installs.uninstall(id, in: context.scope.workspaceID)
            return JSONBody(["success": true])
        }
    }

    private static func positive(_ request: Request, _ name: String, _ fallback: Int) throws -> Int {
        let value = try request.queryInt(name, default: fallback)
        guard (1...Paging.maxPage).contains(value) else { throw RelayError.invalidParam(name, "\(name) must be from 1 to \(Paging.maxPage)") }
        return value
    }

    private static func matches(_ declaration: PluginDeclaration, _ search: String) -> Bool {
        [declaration.pluginID, text(declaration.manifest["label"]).string ?? "", text(declaration.manifest["description"]).string ?? ""]
            .contains { $0.lowercased().contains(search) }
    }

    /// A translated text's English, or the text itself.
    static func text(_ value: JSONValue) -> JSONValue {
        value["en_US"].string.map(JSONValue.string) ?? value.string.map(JSONValue.string) ?? ""
    }

    /// Dify's declaration shape: the manifest, with `tool` (its first provider) and our `tool_providers`.
    static func declaration(_ declaration: PluginDeclaration) -> JSONValue {
        var manifest = declaration.manifest.object ?? [:]
        manifest["category"] = .string(declaration.category)
        let providers: [JSONValue] = declaration.toolProviders.map { provider in
            [
                "identity": provider.identity,
                "credentials_schema": .array(
                    provider.credentials.map { field in
                        var body = field.declaration.object ?? [:]
                        body["name"] = .string(field.name)
                        return .object(body)
                    }),
                "tools": .array(provider.tools.map(\.declaration)),
            ]
        }
        manifest["tool"] = providers.first ?? .null
        manifest["tool_providers"] = .array(providers)
        return .object(manifest)
    }

    /// Dify's `PluginDetail` for an install, with the sandbox its process runs (or last ran) under.
    static func detail(_ installed: PluginInstallService.Installed, installs: PluginInstallService) async -> JSONValue {
        let install = installed.install
        let sandbox = await installs.supervisor.sandbox(of: install.id)
        let runtime = await installs.supervisor.status(of: install.id)
        return [
            "id": .string(install.id.description), "installation_id": .string(install.id.description),
            "install_id": .string(install.id.description), "tenant_id": .string(install.workspace.description),
            "plugin_id": .string(install.pluginID), "plugin_unique_identifier": .string(install.identifier),
            "name": .string(installed.declaration.name), "version": .string(installed.declaration.version),
            "latest_version": .string(installed.declaration.version), "latest_unique_identifier": .string(install.identifier),
            "source": .string(install.source), "declaration": declaration(installed.declaration),
            "created_at": .string(ISO8601DateFormatter().string(from: install.createdAt)),
            "updated_at": .string(ISO8601DateFormatter().string(from: install.createdAt)),
            "installed_at": .number(install.createdAt.timeIntervalSince1970.rounded()),
            "endpoints_setups": 0, "endpoints_active": 0, "meta": .object([:]), "status": "active",
            "sandbox": sandbox.map(\.json) ?? ["level": nil, "layers": [:], "note": "the plugin has not run on this instance yet"],
            "runtime": [
                "running": .bool(runtime.running), "consecutive_failures": .number(Double(runtime.failures)),
                "last_exit": runtime.lastEnd.map(JSONValue.string) ?? .null,
            ],
        ]
    }
}
