import AsyncHTTPClient
import Core
import Foundation
import Gateway
import NIOCore
import NIOFoundationCompat
import RelayTestSupport
import Testing

/// The repository's folders that plugin tests use: `plugins/` and the test fixtures.
enum PluginFolders {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let builtIn = repository.appendingPathComponent("plugins")
    static let hostile = repository.appendingPathComponent("Tests/GatewayTests/Fixtures/hostile-plugin")
    static let isRoot = geteuid() == 0

    /// A folder zipped as a `.difypkg` (by Python's zipfile), with extra entries written as given.
    static func package(_ folder: URL?, extra: [String: String] = [:]) async throws -> [UInt8] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("package-\(UUID()).difypkg")
        defer { try? FileManager.default.removeItem(at: output) }
        let script = """
            import json, os, sys, zipfile
            folder, output, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
            with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
                if folder:
                    for root, _, files in os.walk(folder):
                        for name in files:
                            path = os.path.join(root, name)
                            if os.path.relpath(path, folder) in extra:
                                continue
                            info = zipfile.ZipInfo(os.path.relpath(path, folder))
                            info.external_attr = (os.stat(path).st_mode & 0o777) << 16
                            archive.writestr(info, open(path, "rb").read())
                for name, text in extra.items():
                    info = zipfile.ZipInfo(name)
                    info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
                    archive.writestr(info, text)
            """
        let extraJSON = String(decoding: try JSONEncoder().encode(extra), as: UTF8.self)
        let result = try await ChildProcess.run("/usr/bin/python3", ["-c", script, folder?.path ?? "", output.path, extraJSON])
        try #require(result.status == 0, "zip: \(result.output)")
        return Array(try Data(contentsOf: output))
    }
}

extension RelayConfiguration {
    /// The repository's own plugins, the launcher beside the test bundle, and short bounds.
    mutating func usePlugins(callTimeout: Duration = .seconds(20)) {
        builtInPluginsDirectory = PluginFolders.builtIn
        pluginLauncher =
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("relay-plugin-launcher").path
        pluginCallTimeout = callTimeout
        pluginStartTimeout = .seconds(60)
    }
}

extension RelayClient {
    /// The catalogue's unique identifier of the built-in plugin `pluginID`.
    func builtInIdentifier(_ pluginID: String, owner: Owner) async throws -> String {
        let catalogue = try await get("/console/api/workspaces/current/plugins?search=\(pluginID)", token: owner.token)
        let identifier = catalogue.json["plugins"].array.first { $0["plugin_id"].string == pluginID }?["plugin_unique_identifier"].string
        return try #require(identifier, "\(pluginID) in \(catalogue.json)")
    }

    /// Installs a plugin by identifier and returns its install id. Allows minutes: a Python plugin's requirements are
    /// installed from PyPI first.
    func installPlugin(_ identifier: String, owner: Owner) async throws -> String {
        let reply = try await postSlowly(
            "/console/api/workspaces/current/plugins/install", token: owner.token, json: ["plugin_unique_identifier": .string(identifier)]
        )
        try #require(reply.status == .ok, "install: \(reply.json)")
        return try #require(reply.json["plugin"]["installation_id"].string)
    }

    /// A POST over a connection of its own with a 5-minute timeout: installing makes a Python environment, which a
    /// loaded machine can make slower than the test client's read timeout.
    func postSlowly(_ path: String, token: String, json: JSONValue) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(try #require(client.port))\(path)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
        return try await Reply.slowly(request)
    }

    func invokeTool(_ provider: String, _ tool: String, _ parameters: JSONValue, owner: Owner) async throws -> Reply {
        try await post("/console/api/workspaces/current/tools/\(provider)/\(tool)/invoke", token: owner.token, json: ["parameters": parameters])
    }

    func saveToolCredentials(_ provider: String, _ credentials: JSONValue, owner: Owner) async throws -> Reply {
        try await post(
            "/console/api/workspaces/current/tool-provider/builtin/\(provider)/credentials", token: owner.token,
            json: ["credentials": credentials]
        )
    }
}

extension Reply {
    /// The texts of a tool call's messages.
    var texts: [String] { json["messages"].array.compactMap { $0["message"]["text"].string } }
}
