import Foundation
import RelayTestSupport
import Testing

/// The sandbox launcher, run for real: each layer it reports is checked by what a program under it can and cannot do.
@Suite("The plugin sandbox launcher")
struct LauncherTests {
    /// `relay-plugin-launcher` sits beside the test bundle in the build folder.
    static let launcher = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("relay-plugin-launcher").path
    static let isRoot = geteuid() == 0
    /// An install's own uid and gid, from the range the sandbox reserves (used when the tests run as root).
    static let identity = ["--uid", "64001", "--gid", "64001"]
    static let python = "/usr/bin/python3"

    /// Runs `program` under the launcher with `options`, the report on standard output before the program's output.
    func launch(_ options: [String], _ program: [String]) async throws -> (report: [String: Any], status: Int32, output: String) {
        let result = try await ChildProcess.run(Self.launcher, (Self.isRoot ? Self.identity : []) + options + ["--report-fd", "1", "--"] + program)
        let lines = result.output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let report = (try? JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8))) as? [String: Any] ?? [:]
        return (report, result.status, lines.count > 1 ? String(lines[1]) : "")
    }

    @Test("the program gets only the environment it is given, its own session, and (as root) the install's uid")
    func environmentAndIdentity() async throws {
        let run = try await launch(["--env", "PLUGIN=echo", "--env", "INSTALL_METHOD=local"], ["/usr/bin/env"])
        #expect(run.status == 0)
        #expect(run.output.split(separator: "\n").sorted() == ["INSTALL_METHOD=local", "PLUGIN=echo"])
        let layers = try #require(run.report["layers"] as? [String: Bool])
        #expect(layers["environment"] == true && layers["rlimits"] == true && layers["seccomp"] == true && layers["no_new_privs"] == true)
        #expect(run.report["level"] as? String == "basic")
        let id = try await launch([], ["/usr/bin/id", "-u"])
        if Self.isRoot {
            #expect(layers["own_uid"] == true)
            #expect(id.output.trimmingCharacters(in: .whitespacesAndNewlines) == "64001")
        } else {
            #expect(layers["own_uid"] == false, "not root here: the install shares the server's uid")
        }
    }

    @Test("as root, the launcher refuses to run a plugin without an install's own uid", .enabled(if: isRoot))
    func neverRoot() async throws {
        let result = try await ChildProcess.run(Self.launcher, ["--report-fd", "1", "--", "/usr/bin/id"])
        #expect(result.status == 126)
        #expect(result.output.contains("\"error\""))
        #expect(!result.output.contains("uid=0"))
    }

    @Test("without the network grant, inet sockets are refused; unix sockets and a granted network work")
    func network() async throws {
        let script =
            "import socket\ntry:\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n    print('inet')\nexcept PermissionError:\n    print('refused')\nsocket.socket(socket.AF_UNIX)\nprint('unix')"
        let denied = try await launch(["--memory", "536870912"], [Self.python, "-c", script])
        #expect(denied.report["layers"].flatMap { ($0 as? [String: Bool])?["network"] } == false)
        #expect(denied.output.split(separator: "\n") == ["refused", "unix"], "\(denied.output)")
        let granted = try await launch(["--memory", "536870912", "--network"], [Self.python, "-c", script])
        #expect(granted.output.split(separator: "\n") == ["inet", "unix"], "\(granted.output)")
    }

    @Test("memory, CPU and file size are bounded by rlimits")
    func limits() async throws {
        let memory = try await launch(
            ["--memory", String(256 << 20)],
            [Self.python, "-c", "try:\n    b = bytearray(1 << 30)\n    print('allocated')\nexcept MemoryError:\n    print('refused')"]
        )
        #expect(memory.output.trimmingCharacters(in: .whitespacesAndNewlines) == "refused")
        // One second of CPU, then SIGXCPU (exit 128 + 24). The loop bounds itself at 120 s of wall time and then exits 0,
        // so a missing limit fails the status check, whatever the machine's load.
        let spin = try await launch(["--cpu", "1"], [Self.python, "-c", "import time\nend = time.time() + 120\nwhile time.time() < end: pass"])
        #expect(spin.status == 128 + SIGXCPU || spin.status == 128 + SIGKILL, "status \(spin.status)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("launcher-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        let huge = try await launch(
            ["--file-size", String(1 << 20), "--cwd", directory.path],
            [
                Self.python, "-c",
                "import signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\ntry:\n    open('big', 'wb').write(b'x' * (4 << 20))\n    print('wrote')\nexcept OSError:\n    print('refused')",
            ]
        )
        #expect(huge.output.trimmingCharacters(in: .whitespacesAndNewlines) == "refused", "\(huge.output)")
        let written = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("big").path)[.size] as? Int ?? 0
        #expect(written <= 1 << 20)
    }

    @Test("with folders named, Landlock leaves the plugin its package to read, its home to write, and nothing else")
    func landlock() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("landlock-\(UUID())")
        let package = base.appendingPathComponent("package")
        let home = base.appendingPathComponent("home")
        let elsewhere = base.appendingPathComponent("elsewhere")
        for folder in [package, home, elsewhere] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: home.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: elsewhere.path)
        try "code".write(to: package.appendingPathComponent("code.txt"), atomically: true, encoding: .utf8)
        try "secret".write(to: elsewhere.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        let script = """
            def attempt(what, action):
                try:
                    action()
                    print(what, "ok")
                except OSError:
                    print(what, "denied")
            attempt("package", lambda: open("code.txt").read())
            attempt("home", lambda: open("\(home.path)/note", "w").write("x"))
            attempt("package-write", lambda: open("new.txt", "w").write("x"))
            attempt("elsewhere", lambda: open("\(elsewhere.path)/secret.txt").read())
            attempt("passwd", lambda: open("/etc/passwd").read())
            """
        let run = try await launch(
            ["--cwd", package.path, "--write", home.path, "--memory", "536870912"], [Self.python, "-c", script]
        )
        let layers = try #require(run.report["layers"] as? [String: Bool])
        guard layers["landlock"] == true else {
            Issue.record("Landlock is not available on this kernel: the layer is reported absent, and file access is not limited")
            return
        }
        #expect(
            run.output.split(separator: "\n") == ["package ok", "home ok", "package-write denied", "elsewhere denied", "passwd denied"],
            "\(run.output)")
        #expect(run.report["level"] as? String == (layers["netns"] == true ? "standard" : "basic"))
    }

    @Test("bad options are refused before anything runs")
    func badOptions() async throws {
        for options in [["--memory", "lots", "--", "/usr/bin/true"], ["--bogus", "1", "--", "/usr/bin/true"], ["--memory", "1"]] {
            let result = try await ChildProcess.run(Self.launcher, options)
            #expect(result.status == 2, "\(options): \(result.output)")
        }
    }
}
