import Foundation
import RelayTestSupport
import Testing

/// The first-party C plugin (`plugins/echo-c`, jansson) speaking Dify's plugin protocol, run under the sandbox launcher.
@Suite("The C echo plugin under the launcher")
struct EchoPluginTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("plugins/echo-c")

    static func request(_ session: String, _ data: [String: Any]) throws -> String {
        let line: [String: Any] = [
            "session_id": session, "event": "request", "conversation_id": NSNull(), "message_id": NSNull(), "app_id": NSNull(),
            "endpoint_id": NSNull(), "context": [String: Any](), "data": data,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self) + "\n"
    }

    @Test("heartbeat first, then each session's chunks and end: text, JSON, a tool error, credentials; garbage is ignored")
    func protocolSessions() async throws {
        let build = try await ChildProcess.run("/usr/bin/make", ["-s", "-C", Self.folder.path])
        try #require(build.status == 0, "make: \(build.output)")
        var input = try Self.request(
            "s-1",
            [
                "user_id": "u1", "type": "tool", "action": "invoke_tool", "provider": "echo_c", "tool": "echo",
                "credentials": ["api_key": "good"], "credential_type": "api-key", "tool_parameters": ["text": "hello"],
            ])
        input += "this is not a request\n"
        input += try Self.request("s-2", ["type": "tool", "action": "invoke_tool", "tool": "json_echo", "tool_parameters": ["n": 3]])
        input += try Self.request("s-3", ["type": "tool", "action": "invoke_tool", "tool": "fail", "tool_parameters": [String: Any]()])
        input += try Self.request("s-4", ["type": "tool", "action": "validate_tool_credentials", "credentials": ["api_key": "bad"]])
        let identity = geteuid() == 0 ? ["--uid", "64002", "--gid", "64002"] : []
        let run = try await ChildProcess.run(
            LauncherTests.launcher,
            identity + [
                "--cwd", Self.folder.path, "--env", "INSTALL_METHOD=local", "--memory", String(64 << 20), "--files", "64", "--",
                Self.folder.appendingPathComponent("bin/echo").path,
            ],
            input: input
        )
        #expect(run.status == 0, "\(run.output)")
        let lines = try run.output.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not JSON: \($0)")
        }
        #expect(lines.first?["event"] as? String == "heartbeat")
        func session(_ id: String) -> [[String: Any]] {
            lines.filter { $0["session_id"] as? String == id }.compactMap { $0["data"] as? [String: Any] }
        }
        let echo = session("s-1")
        #expect(echo.map { $0["type"] as? String } == ["stream", "end"])
        #expect(((echo.first?["data"] as? [String: Any])?["message"] as? [String: Any])?["text"] as? String == "echo: hello")
        let json = session("s-2")
        #expect(((json.first?["data"] as? [String: Any])?["message"] as? [String: Any])?["json_object"] as? [String: Int] == ["n": 3])
        let failed = session("s-3")
        #expect(failed.map { $0["type"] as? String } == ["error", "end"])
        #expect((failed.first?["data"] as? [String: Any])?["error_type"] as? String == "ValueError")
        let credentials = session("s-4")
        #expect((credentials.first?["data"] as? [String: Any])?["result"] as? Bool == false)
    }
}
