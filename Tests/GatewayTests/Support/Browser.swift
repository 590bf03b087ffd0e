import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

/// Headless Chromium, driven through chromedriver's WebDriver HTTP API (W3C), for the tests of the pages Relay serves.
///
/// chromedriver runs as a child process on a loopback port it picks itself; Chromium is its child. Both come from
/// Debian (`chromium`, `chromium-driver`), which scripts/setup installs: a machine without them fails these tests.
struct Browser: Sendable {
    let driver: URL
    let session: String

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The WebDriver error a command answered with.
    struct CommandError: Error, CustomStringConvertible {
        let command: String
        let value: JSONValue
        var description: String { "\(command): \(value["error"].string ?? "?"): \(value["message"].string ?? "\(value)")" }
    }

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// Runs `body` with a fresh headless browser, and quits it afterwards however `body` ends.
    static func with<T: Sendable>(width: Int = 1400, height: Int = 1100, _ body: (Browser) async throws -> T) async throws -> T {
        let chromium = try executable(["chromium", "chromium-browser", "google-chrome"])
        let chromedriver = try executable(["chromedriver"])
        let (driver, port) = try await ChromedriverProcess.started(executable: chromedriver)
        defer { driver.stop() }
        let base = URL(string: "http://127.0.0.1:\(port)")!
        var arguments: [JSONValue] = [
            "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
            .string("--window-size=\(width),\(height)"), "--force-device-scale-factor=1", "--lang=en-US",
        ]
        // Chromium's own sandbox refuses to start as root.
        if geteuid() == 0 { arguments.append("--no-sandbox") }
        let capabilities: JSONValue = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome", "pageLoadStrategy": "normal",
                    "goog:chromeOptions": ["binary": .string(chromium), "args": .array(arguments)],
                    // Generous: in CI the browser shares two cores with the rest of the suite, and Swagger UI drawing every
                    // operation of Relay's document has held its page's thread for more than 30 s there.
                    "timeouts": ["script": 120000, "pageLoad": 120000, "implicit": 0],
                ]
            ]
        ]
        let created = try await command(base, .POST, "session", capabilities)
        let browser = Browser(driver: base, session: try #require(created["sessionId"].string, "session: \(created)"))
        let result: Result<T, any Error>
        do {
            result = .success(try await body(browser))
        } catch {
            result = .failure(error)
        }
        _ = try? await command(base, .DELETE, "session/\(browser.session)", nil)
        return try result.get()
    }

    /// The first of `names` on PATH (or in /usr/bin). A missing browser fails the test (thrown), saying what to do.
    static func executable(_ names: [String]) throws -> String {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        for name in names {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        throw Missing(description: "\(names[0]) is not installed: the browser tests need Debian's chromium and chromium-driver; run scripts/setup")
    }

    // MARK: Commands

    enum Method: String { case GET, POST, DELETE }

    private static func command(_ base: URL, _ method: Method, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: base.appendingPathComponent(path).absoluteString)
        switch method {
        case .GET: request.method = .GET
        case .POST: request.method = .POST
        case .DELETE: request.method = .DELETE
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(150))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        let reply = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer))
        let value = reply["value"]
        guard response.status.code < 400, value["error"].isNull else { throw CommandError(command: "\(method) \(path)", value: value) }
        return value
    }

    @discardableResult
    func command(_ method: Method, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        try await Self.command(driver, method, "session/\(session)/\(path)", body)
    }

    func open(_ url: String) async throws {
        try await command(.POST, "url", ["url": .string(url)])
    }

    func refresh() async throws {
        try await command(.POST, "refresh", [:])
    }

    /// Runs `script` (a function body: `return …`) in the page, with `arguments` as `arguments[0]`, ….
    @discardableResult
    func execute(_ script: String, _ arguments: [JSONValue] = []) async throws -> JSONValue {
        try await command(.POST, "execute/sync", ["script": .string(script), "args": .array(arguments)])
    }

    /// A script run in every document this browser loads from now on, before the page's own scripts (Chrome's
    /// DevTools protocol, through chromedriver).
    func addScriptBeforeEveryPage(_ source: String) async throws {
        try await command(
            .POST, "goog/cdp/execute", ["cmd": "Page.addScriptToEvaluateOnNewDocument", "params": ["source": .string(source)]]
        )
    }

    /// The element references of everything `selector` matches.
    func elements(_ selector: String) async throws -> [JSONValue] {
        try await command(.POST, "elements", ["using": "css selector", "value": .string(selector)]).array
    }

    func click(_ element: JSONValue) async throws {
        try await command(.POST, "element/\(try Self.id(of: element))/click", [:])
    }

    func type(_ text: String, into element: JSONValue) async throws {
        try await command(.POST, "element/\(try Self.id(of: element))/value", ["text": .string(text)])
    }

    /// A PNG of the whole viewport.
    func screenshot() async throws -> Data {
        let encoded = try #require(try await command(.GET, "screenshot").string)
        return try #require(Data(base64Encoded: encoded))
    }

    /// Polls `script` until it returns something other than `null`, `false`, `0` or `""`, and returns that.
    @discardableResult
    func wait(
        for what: String, within seconds: Double = 90, _ script: String, _ arguments: [JSONValue] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue {
        let deadline = Date() + seconds
        var last = JSONValue.null
        while Date() < deadline {
            last = try await execute(script, arguments)
            switch last {
            case .null, .bool(false), .number(0), .string(""): break
            default: return last
            }
            try await Task.sleep(for: .milliseconds(150))
        }
        let page = try? await execute("return document.body ? document.body.innerText.slice(0, 2000) : ''")
        Issue.record("waited \(seconds) s for \(what); last answer \(last); the page reads:\n\(page?.string ?? "?")", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    static func id(of element: JSONValue) throws -> String {
        try #require(element[elementKey].string, "not an element reference: \(element)")
    }
}

/// chromedriver as a child process, announcing the port it chose (`--port=0`).
private final class ChromedriverProcess: Sendable {
    let process: Process
    private let pipe = Pipe()
    private let output = OutputBuffer()

    init(executable: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port=0", "--log-level=WARNING"]
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try ProcessLaunches.run(process)
    }

    deinit { stop() }

    /// A chromedriver listening, and its port. chromedriver picks a free port and then binds it, so another process
    /// can take the port in between (it then exits saying `bind() failed`): such a start is tried again, three times.
    static func started(executable: String) async throws -> (ChromedriverProcess, Int) {
        var printed = ""
        for _ in 0..<3 {
            let driver = try ChromedriverProcess(executable: executable)
            if let port = try await driver.listeningPort() { return (driver, port) }
            printed = driver.output.text
            driver.stop()
        }
        Issue.record("chromedriver did not announce its port; it printed:\n\(printed)")
        throw CancellationError()
    }

    /// The port chromedriver announced, or `nil` when it exited or said nothing in time.
    func listeningPort(within seconds: Double = 20) async throws -> Int? {
        let deadline = Date() + seconds
        while Date() < deadline {
            if let range = output.text.range(of: #"started successfully on port (\d+)"#, options: .regularExpression),
                let port = Int(output.text[range].split(separator: " ").last ?? "")
            {
                return port
            }
            guard process.isRunning else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Stops chromedriver, which takes the browsers it started along.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date() + 5
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        pipe.fileHandleForReading.readabilityHandler = nil
    }
}
