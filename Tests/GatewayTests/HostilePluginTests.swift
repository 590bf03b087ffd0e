import Core
import Foundation
import Testing

/// A hostile plugin (Tests/GatewayTests/Fixtures/hostile-plugin) tries, through the real launcher, what sandbox.md
/// lists. Each attempt is contained and reported to the caller as a clear error, and the server keeps serving. Where a
/// layer depends on the machine (an own uid needs root), the assertion follows the layer the launcher reported.
@Suite("A hostile plugin")
struct HostilePluginTests {
    @Test("files, environment, network, processes, memory, CPU, file size, huge lines, silence, crashes and escapes are contained")
    func contained() async throws {
        try await withTemporaryDirectory { directory in
            try await withRelay(dataDirectory: directory, configure: { $0.usePlugins(callTimeout: .seconds(3)) }) { client in
                let owner = try await client.setUpOwner()
                let echoID = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)
                // Echo runs once, so that its folder is its own (its uid, mode 0700).
                #expect(try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner).status == .ok)
                let uploaded = try await client.upload(
                    try await PluginFolders.package(PluginFolders.hostile), filename: "hostile.difypkg", field: "pkg",
                    to: "/console/api/workspaces/current/plugin/upload/pkg", fields: [:], token: owner.token
                )
                let hostileID = try await client.installPlugin(try #require(uploaded.json["unique_identifier"].string), owner: owner)
                func act(_ action: String, _ argument: String = "") async throws -> Reply {
                    try await client.invokeTool(
                        "tests/hostile/hostile", "act", ["action": .string(action), "argument": .string(argument)], owner: owner)
                }
                #expect(try await act("ping").texts == ["pong"])
                let list = try await client.get("/console/api/workspaces/current/plugin/list", token: owner.token)
                let sandbox = try #require(list.json["plugins"].array.first { $0["installation_id"].string == hostileID })["sandbox"]
                let ownUID = sandbox["layers"]["own_uid"] == true
                #expect(ownUID == PluginFolders.isRoot, "own uid is applied exactly when the server is root: \(sandbox)")
                let plugins = directory.appendingPathComponent("plugins")

                // Another install's files, and the database file.
                let secret = plugins.appendingPathComponent("installs/\(echoID)/secret.txt")
                try FileManager.default.createDirectory(at: secret.deletingLastPathComponent(), withIntermediateDirectories: true)
                try "echo's secret".write(to: secret, atomically: true, encoding: .utf8)
                let other = try await act("read", secret.path).texts.first ?? ""
                let database = try await act("read", directory.appendingPathComponent("relay.sqlite").path).texts.first ?? ""
                let landlock = sandbox["layers"]["landlock"] == true
                if ownUID || landlock {
                    #expect(other.hasPrefix("denied"), "\(other)")
                    #expect(database.hasPrefix("denied"), "\(database)")
                } else {
                    Issue.record("neither an own uid (not root) nor Landlock here: nothing keeps installs out of each other's files")
                }
                // Landlock also hides the rest of the file system: the system's configuration, the server's own files.
                let passwd = try await act("read", "/etc/passwd").texts.first ?? ""
                #expect(passwd.hasPrefix(landlock ? "denied" : "read"), "\(passwd)")
                // The server's environment: none of it reaches the plugin.
                let environment = try await act("env").texts.first ?? "{}"
                let variables = try JSONDecoder().decode([String: String].self, from: Data(environment.utf8))
                let allowed: Set = ["INSTALL_METHOD", "HOME", "TMPDIR", "PATH", "LANG", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "LC_CTYPE"]
                #expect(Set(variables.keys).isSubset(of: allowed), "\(variables.keys.sorted())")

                // A loopback listener: no inet socket without the network grant.
                let listener = try LoopbackListener()
                defer { listener.close() }
                let connect = try await act("connect", String(listener.port)).texts.first ?? ""
                #expect(connect.hasPrefix("refused"), "\(connect)")

                // Processes: at most the install's process limit (an own uid makes RLIMIT_NPROC count its processes only).
                let forks = try await act("fork_bomb").texts.first ?? ""
                if ownUID, let count = Int(forks.split(separator: " ").last ?? "") {
                    #expect(count < 500, "\(forks)")
                }
                // Memory: the manifest's 256 MiB.
                let allocation = try await act("allocate").texts.first ?? ""
                let mebibytes = Int(allocation.split(separator: " ").dropFirst().first ?? "") ?? 0
                #expect(allocation.hasPrefix("allocated") && mebibytes <= 256, "\(allocation)")
                // File size: the launcher's 64 MiB.
                let hugeReply = try await act("write_huge")
                let huge = hugeReply.texts.first ?? "\(hugeReply.json)"
                #expect(huge.hasPrefix("stopped after"), "\(huge)")

                // CPU, silence and huge lines: killed, reported, and the next call gets a fresh process.
                async let healthy = Self.keepsServing(client)
                let spin = try await act("spin")
                #expect(spin.status == .gatewayTimeout && spin.code == "plugin_timeout", "\(spin.json)")
                let hang = try await act("hang")
                #expect(hang.status == .gatewayTimeout && hang.code == "plugin_timeout")
                #expect(try await act("ping").texts == ["pong"])
                let line = try await act("long_line")
                #expect(line.status == .badGateway && line.code == "plugin_crashed", "\(line.json)")
                #expect(line.message?.contains("line over the size limit") == true, "\(line.message ?? "")")
                #expect(try await act("ping").texts == ["pong"])
                let crash = try await act("crash")
                #expect(crash.status == .badGateway && crash.code == "plugin_crashed" && crash.message?.contains("status 3") == true, "\(crash.json)")
                #expect(crash.json["details"]["stderr"].string?.contains("crashing on purpose") == true, "the operator sees its stderr")
                // Binary results in blob_chunks come back whole.
                let blob = try await act("blob")
                #expect(blob.json["messages"][0]["type"] == "blob", "\(blob.json)")
                #expect(blob.json["messages"][0]["message"]["blob"].string.flatMap { Data(base64Encoded: $0) } == Data("first-second-third".utf8))
                #expect(try await healthy, "the server answered /health throughout")

                // A grandchild that left the session with setsid() outlives a process-group kill, not the uid kill.
                let marker = plugins.appendingPathComponent("installs/\(hostileID)/escapee.pid")
                let escape = try await act("escape", marker.path)
                #expect(escape.code == "plugin_timeout")
                let escapee = Int32(try String(contentsOf: marker, encoding: .utf8)) ?? 0
                #expect(escapee > 0)
                var alive = true
                for _ in 0..<50 where alive {
                    try await Task.sleep(for: .milliseconds(100))
                    alive = kill(escapee, 0) == 0 && !Self.isZombie(escapee)
                }
                if ownUID {
                    let status = (try? String(contentsOfFile: "/proc/\(escapee)/status", encoding: .utf8)) ?? "gone"
                    #expect(!alive, "the escaped grandchild \(escapee) was killed with its install's uid: \(status.prefix(400))")
                } else {
                    kill(escapee, SIGKILL)
                    Issue.record("not root: without an own uid (or a cgroup) an escaped grandchild survives the kill")
                }
                #expect(try await act("ping").texts == ["pong"])
            }
        }
    }

    private static func isZombie(_ pid: Int32) -> Bool {
        (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first == "Z"
    }

    /// Asks `/health` every 100 ms for 6 s; true when every answer was 200.
    private static func keepsServing(_ client: RelayClient) async throws -> Bool {
        var fine = true
        for _ in 0..<60 {
            fine = try await client.get("/health").status == .ok && fine
            try await Task.sleep(for: .milliseconds(100))
        }
        return fine
    }
}

/// A TCP listener on 127.0.0.1 that a plugin should not be able to reach.
private final class LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
