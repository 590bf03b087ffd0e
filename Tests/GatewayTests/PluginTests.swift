import Core
import Foundation
import Testing

/// Plugins end to end: real packages, installs in real workspaces, real plugin processes under the sandbox launcher.
@Suite("Plugins")
struct PluginTests {
    @Test(
        "both first-party plugins install and answer: text, JSON, errors, credentials checked by the plugin, storage callbacks, concurrent calls on one process"
    )
    func firstParty() async throws {
        try await withRelay(configure: {
            $0.usePlugins()
            $0.allowsRegistration = true
        }) { client in
            let owner = try await client.setUpOwner()
            let echo = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)
            let notes = try await client.installPlugin(try await client.builtInIdentifier("relay/notes_py", owner: owner), owner: owner)
            #expect(echo != notes)

            let providers = try await client.get("/console/api/workspaces/current/tool-providers", token: owner.token)
            #expect(providers.status == .ok)
            let names = providers.json.array.compactMap { $0["id"].string }
            #expect(Set(names) == ["relay/echo_c/echo_c", "relay/notes_py/notes"], "\(providers.json)")
            let echoTools = providers.json.array.first { $0["id"] == "relay/echo_c/echo_c" }?["tools"].array.compactMap { $0["name"].string }
            #expect(echoTools == ["echo", "json_echo", "fail"])
            #expect(providers.json.array.allSatisfy { $0["is_team_authorization"] == false })

            // No credentials yet: the call says how to add them.
            let unauthorized = try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": "hi"], owner: owner)
            #expect(unauthorized.status == .badRequest && unauthorized.code == "provider_not_initialize")
            // The plugin decides: the C plugin answers result false, the SDK plugin raises.
            let refused = try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "bad"], owner: owner)
            #expect(refused.status == .badRequest && refused.code == "invalid_param", "\(refused.json)")
            let refusedBySDK = try await client.saveToolCredentials("notes", ["api_key": "wrong"], owner: owner)
            #expect(refusedBySDK.status == .badRequest && refusedBySDK.message?.contains("nk-") == true, "\(refusedBySDK.json)")
            #expect(try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner).status == .ok)
            #expect(try await client.saveToolCredentials("relay/notes_py/notes", ["api_key": "nk-secret-value"], owner: owner).status == .ok)
            let masked = try await client.get(
                "/console/api/workspaces/current/tool-provider/builtin/relay/notes_py/notes/credentials", token: owner.token)
            #expect(masked.json["credentials"]["api_key"] == "nk-sec************ue")

            let text = try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": "hello"], owner: owner)
            #expect(text.status == .ok && text.texts == ["echo: hello"], "\(text.json)")
            let json = try await client.invokeTool("relay/echo_c/echo_c", "json_echo", ["text": "x"], owner: owner)
            #expect(json.json["messages"][0]["type"] == "json" && json.json["messages"][0]["message"]["json_object"]["text"] == "x", "\(json.json)")
            let failed = try await client.invokeTool("relay/echo_c/echo_c", "fail", [:], owner: owner)
            #expect(failed.status == .badRequest && failed.code == "plugin_invocation_error", "\(failed.json)")
            let missing = try await client.invokeTool("relay/notes_py/notes", "remember", ["name": "a"], owner: owner)
            #expect(missing.status == .badRequest && missing.json["details"]["field"] == "parameters.text")
            let unknown = try await client.invokeTool("relay/echo_c/echo_c", "nope", [:], owner: owner)
            #expect(unknown.status == .notFound)

            // Storage through the SDK's backwards invocation, kept per workspace and plugin.
            let remembered = try await client.invokeTool("notes", "remember", ["name": "greeting", "text": "grüezi"], owner: owner)
            #expect(remembered.status == .ok && remembered.texts == ["remembered greeting"], "\(remembered.json)")
            let recalled = try await client.invokeTool("notes", "recall", ["name": "greeting"], owner: owner)
            #expect(recalled.texts == ["grüezi"], "\(recalled.json)")
            // The SDK's llm callback reaches the workspace's own model (the stub upstream), with its credentials.
            try await StubUpstream.with { stub in
                let unconfigured = try await client.invokeTool(
                    "notes", "ask", ["name": "greeting", "provider": "langgenius/openai_api_compatible/openai_api_compatible", "model": "stub-chat"],
                    owner: owner
                )
                #expect(
                    unconfigured.code == "plugin_invocation_error" && unconfigured.message?.contains("not configured") == true, "\(unconfigured.json)"
                )
                try await client.configureStubProvider(stub, as: owner)
                let asked = try await client.invokeTool(
                    "notes", "ask", ["name": "greeting", "provider": "langgenius/openai_api_compatible/openai_api_compatible", "model": "stub-chat"],
                    owner: owner
                )
                #expect(asked.texts == ["Echo: grüezi"], "\(asked.json)")
                #expect(asked.json["messages"][1]["message"]["json_object"]["tokens"] == 18)
                // And its text_embedding callback, the workspace's embedding model.
                let embedded = try await client.invokeTool(
                    "notes", "embed", ["name": "greeting", "provider": "openai_api_compatible", "model": "stub-embed"], owner: owner
                )
                #expect(embedded.json["messages"][0]["message"]["json_object"] == ["vector": [6, 0.5, -1], "tokens": 3], "\(embedded.json)")
            }
            let nothing = try await client.invokeTool("notes", "recall", ["name": "absent"], owner: owner)
            #expect(nothing.code == "plugin_invocation_error" && nothing.message?.contains("no note named absent") == true)

            // Many calls at once share one process, told apart by session id.
            let answers = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        (index, try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": .string("n\(index)")], owner: owner).texts)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect((0..<40).allSatisfy { answers[$0] == ["echo: n\($0)"] })

            // Each install reports the sandbox its process runs under, and /health the lowest running level.
            let list = try await client.get("/console/api/workspaces/current/plugin/list", token: owner.token)
            #expect(list.json["total"] == 2)
            var levels: Set<String> = []
            for plugin in list.json["plugins"].array {
                let sandbox = plugin["sandbox"]
                #expect(sandbox["layers"]["seccomp"] == true && sandbox["layers"]["rlimits"] == true && sandbox["layers"]["no_new_privs"] == true)
                #expect(sandbox["layers"]["own_uid"] == .bool(PluginFolders.isRoot))
                // standard: Landlock and (with no network grant) a network namespace on top of basic, where the machine has them.
                let standard = sandbox["layers"]["landlock"] == true && sandbox["layers"]["netns"] == true
                #expect(sandbox["level"] == (standard ? "standard" : "basic"), "\(sandbox)")
                levels.insert(sandbox["level"].string ?? "")
            }
            let health = try await client.get("/health")
            #expect(health.json["plugin_sandbox"]["minimum_level"] == "basic")
            #expect(health.json["plugin_sandbox"]["lowest_active_level"] == (levels.contains("basic") ? "basic" : "standard"))
        }
    }

    @Test(
        "uploads are checked: not a zip, paths outside the package, links, bad manifests with file and field named; only admins upload, install and uninstall"
    )
    func uploads() async throws {
        try await withRelay(configure: { $0.usePlugins() }) { client in
            let owner = try await client.setUpOwner()
            let upload = "/console/api/workspaces/current/plugin/upload/pkg"
            let notZip = try await client.upload(
                Array("hello".utf8), filename: "x.difypkg", field: "pkg", to: upload, fields: [:], token: owner.token)
            #expect(notZip.status == .badRequest && notZip.code == "plugin_package_invalid", "\(notZip.json)")
            let traversal = try await client.upload(
                try await PluginFolders.package(PluginFolders.hostile, extra: ["../../escape.txt": "x"]), filename: "p.difypkg", field: "pkg",
                to: upload, fields: [:], token: owner.token
            )
            #expect(traversal.status == .badRequest && traversal.code == "plugin_package_invalid", "\(traversal.json)")
            #expect(traversal.json["details"]["problems"][0]["file"] == "../../escape.txt")
            let badManifest = try await client.upload(
                try await PluginFolders.package(
                    nil,
                    extra: [
                        "manifest.yaml":
                            "version: one\ntype: plugin\nauthor: a b\nname: ok\nlabel: {en_US: X}\nplugins: {tools: [p.yaml]}\nmeta: {runner: {language: cobol, entrypoint: x}}\n",
                        "p.yaml": "identity: {name: p}\ntools: [t.yaml]\n",
                        "t.yaml": "identity: {name: t}\nparameters:\n  - {name: q, type: strange}\n",
                    ]
                ),
                filename: "bad.difypkg", field: "pkg", to: upload, fields: [:], token: owner.token
            )
            #expect(badManifest.status == .badRequest, "\(badManifest.json)")
            let problems = Set(badManifest.json["details"]["problems"].array.map { "\($0["file"].string ?? ""):\($0["field"].string ?? "")" })
            #expect(
                problems.isSuperset(of: [
                    "manifest.yaml:version", "manifest.yaml:author", "manifest.yaml:meta.runner.language", "t.yaml:parameters[0].type",
                ]), "\(problems)")
            let noFile = try await client.upload([], filename: nil, field: "pkg", to: upload, fields: [:], token: owner.token)
            #expect(noFile.status == .badRequest)

            let good = try await client.upload(
                try await PluginFolders.package(PluginFolders.hostile), filename: "hostile.difypkg", field: "pkg", to: upload, fields: [:],
                token: owner.token
            )
            #expect(good.status == .ok, "\(good.json)")
            let identifier = try #require(good.json["unique_identifier"].string)
            #expect(identifier.hasPrefix("tests/hostile:0.0.1@") && identifier.count == "tests/hostile:0.0.1@".count + 64)
            #expect(good.json["manifest"]["tool"]["identity"]["name"] == "hostile")

            try await client.setPlan("team", for: owner)
            let editor = try await client.addMember("editor@example.com", role: "editor", to: owner)
            let byEditor = try await client.post(
                "/console/api/workspaces/current/plugin/install/pkg", token: editor.token, json: ["plugin_unique_identifiers": [.string(identifier)]]
            )
            #expect(byEditor.status == .forbidden)
            let uploadByEditor = try await client.upload(
                try await PluginFolders.package(PluginFolders.hostile), filename: "h.difypkg", field: "pkg", to: upload, fields: [:],
                token: editor.token
            )
            #expect(uploadByEditor.status == .forbidden)
            let installed = try await client.post(
                "/console/api/workspaces/current/plugin/install/pkg", token: owner.token, json: ["plugin_unique_identifiers": [.string(identifier)]]
            )
            #expect(installed.status == .ok && installed.json["all_installed"] == true, "\(installed.json)")
            let installID = try #require(installed.json["plugins"][0]["installation_id"].string)
            let pong = try await client.invokeTool("tests/hostile/hostile", "act", ["action": "ping"], owner: owner)
            #expect(pong.texts == ["pong"], "\(pong.json)")
            let editorCall = try await client.invokeTool("tests/hostile/hostile", "act", ["action": "ping"], owner: editor)
            #expect(editorCall.texts == ["pong"])
            let uninstallByEditor = try await client.post(
                "/console/api/workspaces/current/plugin/uninstall", token: editor.token, json: ["plugin_installation_id": .string(installID)]
            )
            #expect(uninstallByEditor.status == .forbidden)
            let unknownInstall = try await client.post(
                "/console/api/workspaces/current/plugins/install", token: owner.token, json: ["plugin_unique_identifier": "nobody/nothing:1.0.0@00"]
            )
            #expect(unknownInstall.status == .notFound)
        }
    }

    @Test("installing one plugin several times at once leaves one install that works")
    func concurrentInstalls() async throws {
        try await withRelay(configure: { $0.usePlugins() }) { client in
            let owner = try await client.setUpOwner()
            let identifier = try await client.builtInIdentifier("relay/echo_c", owner: owner)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<4 { group.addTask { try await client.installPlugin(identifier, owner: owner) } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 4)
            let list = try await client.get("/console/api/workspaces/current/plugin/list", token: owner.token)
            #expect(list.json["total"] == 1, "\(list.json)")
            #expect(try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner).status == .ok)
            #expect(try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": "once"], owner: owner).texts == ["echo: once"])
        }
    }

    @Test("another workspace can neither see, call nor uninstall an install; uninstalling removes its tools")
    func isolation() async throws {
        try await withRelay(configure: {
            $0.usePlugins()
            $0.allowsRegistration = true
        }) { client in
            let owner = try await client.setUpOwner()
            let other = try await client.register("other@example.com")
            let identifier = try await client.builtInIdentifier("relay/echo_c", owner: owner)
            let installID = try await client.installPlugin(identifier, owner: owner)
            #expect(try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner).status == .ok)

            let theirList = try await client.get("/console/api/workspaces/current/plugin/list", token: other.token)
            #expect(theirList.json["total"] == 0 && theirList.json["plugins"].array.isEmpty)
            let theirProviders = try await client.get("/console/api/workspaces/current/tool-providers", token: other.token)
            #expect(theirProviders.json.array.isEmpty)
            let theirCall = try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": "x"], owner: other)
            #expect(theirCall.status == .notFound)
            let theirCredentials = try await client.get(
                "/console/api/workspaces/current/tool-provider/builtin/relay/echo_c/echo_c/credentials", token: other.token
            )
            #expect(theirCredentials.status == .notFound)
            let theirUninstall = try await client.post(
                "/console/api/workspaces/current/plugin/uninstall", token: other.token, json: ["plugin_installation_id": .string(installID)]
            )
            #expect(theirUninstall.status == .notFound)
            #expect(try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": "still"], owner: owner).texts == ["echo: still"])

            // Their own install of the same plugin is theirs alone: their credentials, their process.
            _ = try await client.installPlugin(identifier, owner: other)
            let noCredentials = try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": "x"], owner: other)
            #expect(noCredentials.code == "provider_not_initialize")

            let uninstalled = try await client.post(
                "/console/api/workspaces/current/plugin/uninstall", token: owner.token, json: ["plugin_installation_id": .string(installID)]
            )
            #expect(uninstalled.status == .ok)
            let after = try await client.invokeTool("relay/echo_c/echo_c", "echo", ["text": "x"], owner: owner)
            #expect(after.status == .notFound)
            #expect(try await client.get("/console/api/workspaces/current/tool-providers", token: owner.token).json.array.isEmpty)
        }
    }
}

/// The supervisor's life-cycle over HTTP: idle processes stop, failing ones back off, and a crash loop is stopped.
@Suite("Plugin processes")
struct PluginProcessTests {
    @Test("an idle process is stopped and the next call starts another")
    func idle() async throws {
        try await withRelay(configure: {
            $0.usePlugins()
            $0.pluginIdleTimeout = .seconds(3)
        }) { client in
            let owner = try await client.setUpOwner()
            let uploaded = try await client.upload(
                try await PluginFolders.package(PluginFolders.hostile), filename: "hostile.difypkg", field: "pkg",
                to: "/console/api/workspaces/current/plugin/upload/pkg", fields: [:], token: owner.token
            )
            _ = try await client.installPlugin(try #require(uploaded.json["unique_identifier"].string), owner: owner)
            #expect(try await client.invokeTool("tests/hostile/hostile", "act", ["action": "ping"], owner: owner).texts == ["pong"])
            func running() async throws -> Bool {
                try await client.get("/console/api/workspaces/current/plugin/list", token: owner.token).json["plugins"][0]["runtime"]["running"]
                    == true
            }
            #expect(try await running())
            var stopped = false
            for _ in 0..<200 where !stopped {
                try await Task.sleep(for: .milliseconds(100))
                stopped = try await !running()
            }
            #expect(stopped, "stopped after 3 s without calls")
            #expect(try await client.invokeTool("tests/hostile/hostile", "act", ["action": "ping"], owner: owner).texts == ["pong"])
        }
    }

    @Test("a plugin that dies at start is retried with backoff, then stopped as a crash loop with its reason")
    func crashLoop() async throws {
        try await withRelay(configure: { $0.usePlugins() }) { client in
            let owner = try await client.setUpOwner()
            let manifest = try String(contentsOf: PluginFolders.hostile.appendingPathComponent("manifest.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "entrypoint: hostile.py", with: "entrypoint: crash.sh")
            let package = try await PluginFolders.package(
                PluginFolders.hostile, extra: ["manifest.yaml": manifest, "crash.sh": "#!/bin/sh\necho 'cannot start: no config' >&2\nexit 3\n"]
            )
            let uploaded = try await client.upload(
                package, filename: "crasher.difypkg", field: "pkg", to: "/console/api/workspaces/current/plugin/upload/pkg", fields: [:],
                token: owner.token
            )
            #expect(uploaded.status == .ok, "\(uploaded.json)")
            _ = try await client.installPlugin(try #require(uploaded.json["unique_identifier"].string), owner: owner)
            var codes: [String] = []
            for _ in 0..<6 {
                let reply = try await client.invokeTool("tests/hostile/hostile", "act", ["action": "ping"], owner: owner)
                codes.append(reply.code ?? "")
                if reply.code == "plugin_unavailable", reply.message?.contains("stopped for now") == true {
                    #expect(reply.status == .serviceUnavailable)
                    #expect(reply.json["details"]["stderr"].string?.contains("cannot start") == true, "\(reply.json)")
                }
            }
            #expect(codes.prefix(5).allSatisfy { $0 == "plugin_unavailable" || $0 == "plugin_crashed" }, "\(codes)")
            let last = try await client.invokeTool("tests/hostile/hostile", "act", ["action": "ping"], owner: owner)
            #expect(last.status == .serviceUnavailable && last.message?.contains("stopped for now") == true, "\(last.json)")
            let list = try await client.get("/console/api/workspaces/current/plugin/list", token: owner.token)
            #expect(list.json["plugins"][0]["runtime"]["consecutive_failures"].int ?? 0 >= 5)
            #expect(list.json["plugins"][0]["runtime"]["last_exit"].string?.contains("status 3") == true, "\(list.json["plugins"][0]["runtime"])")
        }
    }

    @Test("a plugin below the configured sandbox minimum is refused, saying why")
    func sandboxMinimum() async throws {
        try await withRelay(configure: {
            $0.usePlugins()
            $0.pluginSandboxMinimum = .strict
        }) { client in
            let owner = try await client.setUpOwner()
            _ = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)
            let refused = try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner)
            #expect(refused.status == .serviceUnavailable && refused.code == "plugin_unavailable", "\(refused.json)")
            #expect(refused.message?.contains("below the configured minimum") == true, "\(refused.message ?? "")")
            #expect(try await client.get("/health").json["plugin_sandbox"]["minimum_level"] == "strict")
        }
    }

    @Test("a Python plugin whose requirements do not install is reported as failed, and nothing is installed")
    func failedRequirements() async throws {
        try await withRelay(configure: { $0.usePlugins() }) { client in
            let owner = try await client.setUpOwner()
            let notes = PluginFolders.builtIn.appendingPathComponent("notes-py")
            let package = try await PluginFolders.package(notes, extra: ["requirements.txt": "this is not a requirement!!\n"])
            let uploaded = try await client.upload(
                package, filename: "broken.difypkg", field: "pkg", to: "/console/api/workspaces/current/plugin/upload/pkg", fields: [:],
                token: owner.token
            )
            #expect(uploaded.status == .ok, "\(uploaded.json)")
            let install = try await client.postSlowly(
                "/console/api/workspaces/current/plugins/install", token: owner.token,
                json: ["plugin_unique_identifier": uploaded.json["unique_identifier"]]
            )
            #expect(install.status == .badRequest && install.code == "plugin_install_failed", "\(install.json)")
            #expect(install.json["details"]["output"].string?.isEmpty == false)
            #expect(try await client.get("/console/api/workspaces/current/plugin/list", token: owner.token).json["total"] == 0)
        }
    }
}
