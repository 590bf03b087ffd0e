import Core
import Foundation
import Testing

/// The pages Relay serves itself, in headless Chromium: `/docs` (Swagger UI) and `/admin` (the operator status page).
/// Chromium and chromedriver come from Debian through scripts/setup; without them these tests fail, never skip.
@Suite("Pages in a browser", .serialized)
struct BrowserTests {
    /// Where screenshots are kept for people to look at: `.build/test-artefacts/` of the repository.
    static let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/test-artefacts")

    /// Installed before every page's scripts: collects what the Content-Security-Policy blocked.
    static let violationRecorder = """
        window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (event) => {
            window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
        });
        """

    @Test("/docs renders every operation of /openapi.json, and Try it out calls Relay, keys included; nothing from elsewhere")
    func docs() async throws {
        try await withRelay { client in
            let origin = "http://127.0.0.1:\(try #require(client.client.port))"
            let document = try await client.get("/openapi.json").json
            // Swagger UI draws an operation once under each of its tags.
            let expected = document["paths"].object?.values.reduce(0) { count, item in
                count
                    + ["get", "put", "post", "delete", "patch", "head", "options"].reduce(0) {
                        $0 + (item[$1].isNull ? 0 : max(item[$1]["tags"].array.count, 1))
                    }
            }
            let operations = try #require(expected)
            #expect(operations > 50)

            try await Browser.with { browser in
                try await browser.addScriptBeforeEveryPage(Self.violationRecorder)
                try await browser.open("\(origin)/docs")
                try await browser.wait(for: "the first operations", "return document.querySelectorAll('.opblock').length")
                #expect(
                    try await browser.execute("return document.querySelector('.info .title')?.textContent ?? ''").string?.hasPrefix("Relay") == true)
                // Swagger UI draws the operations near the viewport only: scroll through and collect them all.
                #expect(try await renderedOperations(in: browser) == operations)

                // GET /health needs no key: open it by its deep link, Try it out, Execute, and read the live answer.
                try await browser.open("\(origin)/docs#/\(try deepLink("get", "/health", in: document))")
                try await browser.refresh()
                #expect(try await tryItOut("get", "/health", in: browser) == "200")

                // A key pasted into Authorize is sent, and survives a reload.
                try await authorize("adminKey", with: RelayClient.adminKey, in: browser)
                try await browser.open("\(origin)/docs#/\(try deepLink("get", "/admin/api/plans", in: document))")
                try await browser.refresh()
                let stored = try await browser.wait(for: "the stored key", "return localStorage.getItem('authorized')")
                #expect(stored.string?.contains(RelayClient.adminKey) == true, "persisted authorization: \(stored)")
                #expect(try await tryItOut("get", "/admin/api/plans", in: browser) == "200")

                try await expectSameOrigin(origin, in: browser)
            }
        }
    }

    @Test("/admin asks for the key, then draws the status: charts, workspaces, plugin processes and jobs")
    func adminStatus() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.usePlugins()
                $0.statusStep = .seconds(1)
            }) { client in
                let origin = "http://127.0.0.1:\(try #require(client.client.port))"
                // Some traffic: chats (tokens), a refused key (4xx), a plugin process.
                let app = try await client.chatApp(stub, name: "Support bot")
                let owner = app.owner
                _ = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)
                #expect(try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner).status == .ok)
                for index in 0..<10 {
                    #expect(try await client.chat(app, "hello \(index)").status == .ok)
                    _ = try await client.get("/v1/info", token: "app-not-a-key")
                    try await Task.sleep(for: .milliseconds(300))
                }
                let status = try await client.get("/admin/api/status", token: RelayClient.adminKey).json
                let workspaceName = try #require(
                    status["busiest_workspaces"].array.first { $0["workspace_id"].string == owner.workspaceID }?["name"].string
                )
                let plugin = try #require(status["plugins"].array.first, "a plugin process: \(status["plugins"])")

                try await Browser.with(width: 1400, height: 1250) { browser in
                    try await browser.addScriptBeforeEveryPage(Self.violationRecorder)
                    try await browser.open("\(origin)/admin")
                    let keyField = try #require(try await browser.elements("#key").first)
                    #expect(try await browser.execute("return document.getElementById('dashboard').hidden").bool == true)

                    // A wrong key is refused, and the form says so.
                    try await browser.type("not-the-key\n", into: keyField)
                    let refusal = try await browser.wait(
                        for: "the refusal", "const e = document.getElementById('key-error'); return e.hidden ? null : e.textContent")
                    #expect(refusal.string?.contains("refused") == true, "\(refusal)")
                    #expect(try await browser.execute("return sessionStorage.length").int == 0)

                    try await browser.type("\(RelayClient.adminKey)\n", into: keyField)
                    try await waitForDashboard(in: browser)
                    // The key is the tab's: a reload draws the status without asking again.
                    try await browser.refresh()
                    try await waitForDashboard(in: browser)
                    #expect(try await browser.execute("return document.getElementById('sign-in').hidden").bool == true)

                    let charts = try await browser.execute(
                        """
                        return ["chart-rps", "chart-latency", "chart-errors", "chart-tokens"].map((id) => {
                            const svg = document.querySelector("#" + id + " svg");
                            return svg ? svg.querySelectorAll("path.line, rect.s-input, rect.s-output").length : 0;
                        });
                        """
                    )
                    #expect(charts.array.count == 4 && charts.array.allSatisfy { ($0.int ?? 0) > 0 }, "drawn series per chart: \(charts)")
                    let tables = try await browser.execute(
                        """
                        const rows = (id) => [...document.querySelectorAll("#" + id + " tbody tr")].map((row) => row.innerText);
                        return {workspaces: rows("workspaces"), plugins: rows("plugins"),
                                queued: document.getElementById("jobs-queued").textContent,
                                tokens: document.getElementById("tile-tokens").textContent};
                        """
                    )
                    #expect(tables["workspaces"].array.contains { $0.string?.contains(workspaceName) == true }, "\(tables)")
                    let pluginRow = tables["plugins"].array.first?.string ?? ""
                    #expect(pluginRow.contains(plugin["plugin_id"].string ?? "?"), "\(tables)")
                    #expect(pluginRow.contains(plugin["sandbox_level"].string ?? "?"), "\(tables)")
                    #expect(tables["queued"].string == "0")
                    #expect(tables["tokens"].string != "0" && tables["tokens"].string != "–", "\(tables)")

                    let screenshot = try await browser.screenshot()
                    try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
                    let file = Self.artefacts.appendingPathComponent("admin-status.png")
                    try screenshot.write(to: file)
                    print("The operator status page, as drawn: \(file.path)")
                    #expect(screenshot.starts(with: [0x89, 0x50, 0x4e, 0x47]))

                    try await expectSameOrigin(origin, in: browser)
                }
            }
        }
    }

    // MARK: Steps

    /// Swagger UI's deep link of an operation: `Tag/operationId`.
    private func deepLink(_ method: String, _ path: String, in document: JSONValue) throws -> String {
        let operation = document["paths"][path][method]
        return "\(try #require(operation["tags"][0].string))/\(try #require(operation["operationId"].string))"
    }

    /// How many operations Swagger UI draws, from the top of the page to its end.
    private func renderedOperations(in browser: Browser) async throws -> Int {
        var seen = 0
        var endsSeen = 0
        for _ in 0..<600 where endsSeen < 3 {
            let step = try await browser.execute(
                """
                window.__operations = window.__operations || new Set();
                document.querySelectorAll(".opblock").forEach((block) => window.__operations.add(block.id));
                const end = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
                window.scrollBy(0, Math.round(window.innerHeight * 0.7));
                return [window.__operations.size, end];
                """
            )
            seen = step[0].int ?? 0
            endsSeen = step[1].bool == true ? endsSeen + 1 : 0
            try await Task.sleep(for: .milliseconds(60))
        }
        try await browser.execute("window.scrollTo(0, 0)")
        return seen
    }

    /// Expands the operation when closed, clicks Try it out and Execute, and returns the status code Swagger UI shows.
    private func tryItOut(_ method: String, _ path: String, in browser: Browser) async throws -> String? {
        let find = """
            const summary = [...document.querySelectorAll(".opblock.opblock-" + arguments[0] + " .opblock-summary-path")]
                .find((element) => element.getAttribute("data-path") === arguments[1]);
            const block = summary ? summary.closest(".opblock") : null;
            """
        let arguments: [JSONValue] = [.string(method), .string(path)]
        let summary = try await browser.wait(
            for: "\(method.uppercased()) \(path)", "\(find) return block ? block.querySelector('.opblock-summary-control') : null", arguments)
        if try await browser.execute("\(find) return block.classList.contains('is-open')", arguments).bool != true {
            try await browser.click(summary)
        }
        try await browser.click(try await browser.wait(for: "Try it out", "\(find) return block.querySelector('.try-out__btn')", arguments))
        try await browser.click(try await browser.wait(for: "Execute", "\(find) return block.querySelector('.execute')", arguments))
        return try await browser.wait(
            for: "the live response",
            "\(find) const cell = block.querySelector('.live-responses-table tbody .response-col_status'); return cell ? cell.textContent.trim() : null",
            arguments
        ).string
    }

    /// Opens Authorize, pastes `key` into `scheme`'s field, authorizes and closes the dialog.
    private func authorize(_ scheme: String, with key: String, in browser: Browser) async throws {
        try await browser.click(try await browser.wait(for: "Authorize", "return document.querySelector('.auth-wrapper .authorize')"))
        let container = """
            const container = [...document.querySelectorAll('.modal-ux .auth-container')]
                .find((element) => element.querySelector('h4')?.textContent.includes(arguments[0]));
            """
        let field = try await browser.wait(
            for: "\(scheme)'s field", "\(container) return container?.querySelector('input') ?? null", [.string(scheme)])
        try await browser.type(key, into: field)
        try await browser.click(
            try await browser.wait(
                for: "\(scheme)'s Authorize", "\(container) return container?.querySelector('button.authorize') ?? null", [.string(scheme)])
        )
        try await browser.wait(
            for: "\(scheme) authorized", "\(container) return container?.querySelector('button[aria-label=\"Remove authorization\"]') ?? null",
            [.string(scheme)]
        )
        try await browser.click(
            try await browser.wait(for: "Close", "\(container) return container?.querySelector('button.btn-done') ?? null", [.string(scheme)]))
    }

    private func waitForDashboard(in browser: Browser) async throws {
        try await browser.wait(
            for: "the status drawn",
            "return document.body.dataset.rendered && !document.getElementById('dashboard').hidden && document.querySelector('#chart-rps svg')"
        )
    }

    /// Everything the page loaded came from Relay, and its Content-Security-Policy had nothing to block.
    private func expectSameOrigin(_ origin: String, in browser: Browser, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let loaded = try await browser.execute(
            "return [location.href, ...performance.getEntriesByType('navigation').map((e) => e.name), ...performance.getEntriesByType('resource').map((e) => e.name)]"
        ).array.compactMap(\.string)
        #expect(loaded.count > 1, sourceLocation: sourceLocation)
        let elsewhere = loaded.filter { !$0.hasPrefix(origin + "/") }
        #expect(elsewhere.isEmpty, "loaded from another host: \(elsewhere)", sourceLocation: sourceLocation)
        let blocked = try await browser.execute("return window.__cspViolations || ['no recorder']")
        #expect(blocked.array.isEmpty, "blocked by the Content-Security-Policy: \(blocked)", sourceLocation: sourceLocation)
    }
}
