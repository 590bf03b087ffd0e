import Core
import Foundation
import Testing

/// An owner with one chat app and its key, on a plan shaped by `overrides`.
struct Tenant: Sendable {
    let owner: Owner
    let app: String
    let key: String
}

extension RelayClient {
    func tenant(plan: String = "sandbox", overrides: JSONValue = [:]) async throws -> Tenant {
        let owner = try await setUpOwner()
        try await setPlan(plan, overrides: overrides, for: owner)
        let app = try await createApp("Limited", as: owner)
        return Tenant(owner: owner, app: app, key: try await issueKey(for: app, as: owner).secret)
    }
}

@Suite("Rate limits over HTTP")
struct RateLimitTests {
    @Test("64 concurrent clients against a limit of 50 admit exactly 50", arguments: ["memory", "database"])
    func exactUnderConcurrency(store: String) async throws {
        try await withRelay(configure: { $0.rateLimitStore = store == "memory" ? .memory : .database }) { client in
            let tenant = try await client.tenant(overrides: ["rpm": 50, "max_active_requests": 0])
            let replies = try await client.concurrently(64, .get, "/v1/info", token: tenant.key)
            #expect(replies.filter { $0.status == .ok }.count == 50)
            #expect(replies.filter { $0.status == .tooManyRequests }.count == 14)
            #expect(replies.allSatisfy { $0.status == .ok || $0.code == "rate_limit_exceeded" })
            // Refused requests spent nothing: the hour has seen exactly the 50 admitted.
            let usage = try await client.get("/console/api/workspaces/current/usage", token: tenant.owner.token).json
            #expect(usage["requests"]["hour"]["used"].int == 50)
            #expect(usage["requests"]["minute"]["remaining"].int == 0)
        }
    }

    @Test("every response past authentication carries the headers; a 429 says which window and when to retry")
    func headersAndRetry() async throws {
        let clock = TestClock()
        clock.advance(by: 17)  // 43 seconds before the minute ends, 3583 before the hour does
        try await withRelay(clock: clock) { client in
            let tenant = try await client.tenant(overrides: ["rpm": 3, "rph": 100, "rpd": 1000])
            let ok = try await client.get("/v1/info", token: tenant.key)
            #expect(ok.status == .ok)
            #expect(ok.header("X-RateLimit-Limit") == "3")
            #expect(ok.header("X-RateLimit-Remaining") == "2")
            #expect(ok.header("X-RateLimit-Reset") == "43")
            #expect(ok.header("X-RateLimit-Limit-Minute") == "3" && ok.header("X-RateLimit-Remaining-Minute") == "2")
            #expect(ok.header("X-RateLimit-Limit-Hour") == "100" && ok.header("X-RateLimit-Remaining-Hour") == "99")
            #expect(ok.header("X-RateLimit-Limit-Day") == "1000" && ok.header("X-RateLimit-Remaining-Day") == "999")
            #expect(ok.header("RateLimit-Policy") == "\"minute\";q=3;w=60, \"hour\";q=100;w=3600, \"day\";q=1000;w=86400")
            #expect(ok.header("RateLimit") == "\"minute\";r=2;t=43")

            // A workspace key without the app's permission gets its 403 with the headers, and spends budget.
            let workspaceKey = try await client.post(
                "/console/api/api-keys", token: tenant.owner.token, json: ["name": "w", "permissions": ["completion"]]
            )
            let denied = try await client.get(
                "/v1/info", token: try #require(workspaceKey.json["token"].string), headers: ["X-App-Id": tenant.app]
            )
            expectError(denied, .forbidden, "access_denied")
            #expect(denied.header("X-RateLimit-Remaining-Minute") == "1")

            #expect(try await client.get("/v1/meta", token: tenant.key).status == .ok)
            let refused = try await client.get("/v1/parameters", token: tenant.key)
            expectError(refused, .tooManyRequests, "rate_limit_exceeded")
            #expect(refused.header("Retry-After") == "43")
            #expect(refused.header("X-RateLimit-Remaining") == "0" && refused.header("X-RateLimit-Reset") == "43")
            #expect(refused.message?.contains("3 requests per minute") == true)
            #expect(refused.message?.contains("43 seconds") == true)

            // Sent after Retry-After, the request is admitted; the refused ones cost nothing.
            clock.advance(by: 42)
            expectError(try await client.get("/v1/info", token: tenant.key), .tooManyRequests, "rate_limit_exceeded")
            clock.advance(by: 1)
            let after = try await client.get("/v1/info", token: tenant.key)
            #expect(after.status == .ok)
            #expect(after.header("X-RateLimit-Remaining-Minute") == "2")
            #expect(after.header("X-RateLimit-Remaining-Hour") == "96")
        }
    }

    @Test("an exhausted hour makes the request wait for the hour, not the minute")
    func hourWindow() async throws {
        let clock = TestClock()
        clock.advance(by: 600)
        try await withRelay(clock: clock) { client in
            let tenant = try await client.tenant(overrides: ["rpm": 10, "rph": 2, "rpd": 0])
            for _ in 0..<2 { #expect(try await client.get("/v1/info", token: tenant.key).status == .ok) }
            clock.advance(by: 60)
            let refused = try await client.get("/v1/info", token: tenant.key)
            expectError(refused, .tooManyRequests, "rate_limit_exceeded")
            #expect(refused.header("Retry-After") == "\(3600 - 660)")
            #expect(refused.header("X-RateLimit-Limit") == "2")
            #expect(refused.header("X-RateLimit-Limit-Day") == nil)
            clock.advance(by: 3600 - 660)
            #expect(try await client.get("/v1/info", token: tenant.key).status == .ok)
        }
    }

    @Test("an app's own api_rpm binds before its workspace's plan, and only for that app")
    func appLimit() async throws {
        try await withRelay { client in
            let tenant = try await client.tenant(overrides: ["rpm": 100])
            _ = try await client.send(.put, "/console/api/apps/\(tenant.app)", token: tenant.owner.token, json: ["api_rpm": 2])
            for _ in 0..<2 { #expect(try await client.get("/v1/info", token: tenant.key).status == .ok) }
            let refused = try await client.get("/v1/info", token: tenant.key)
            expectError(refused, .tooManyRequests, "rate_limit_exceeded")
            #expect(refused.message?.contains("this app allows 2 requests per minute") == true)
            #expect(refused.header("X-RateLimit-Limit-Minute") == "2")
            let other = try await client.createApp("Other", as: tenant.owner)
            let otherKey = try await client.issueKey(for: other, as: tenant.owner)
            let fine = try await client.get("/v1/info", token: otherKey.secret)
            #expect(fine.status == .ok && fine.header("X-RateLimit-Remaining-Minute") == "97")
        }
    }

    @Test("requests refused or failed give their place in flight back")
    func slotsComeBack() async throws {
        try await withRelay { client in
            let tenant = try await client.tenant(overrides: ["rpm": 2, "max_active_requests": 1])
            #expect(try await client.get("/v1/info", token: tenant.key).status == .ok)
            let workspaceKey = try await client.post(
                "/console/api/api-keys", token: tenant.owner.token, json: ["name": "w", "permissions": ["completion"]]
            )
            let denied = try await client.get("/v1/info", token: try #require(workspaceKey.json["token"].string), headers: ["X-App-Id": tenant.app])
            expectError(denied, .forbidden, "access_denied")
            for _ in 0..<5 {
                expectError(try await client.get("/v1/info", token: tenant.key), .tooManyRequests, "rate_limit_exceeded")
            }
            client.clock.advance(by: 60)
            #expect(try await client.get("/v1/info", token: tenant.key).status == .ok)
        }
    }

    @Test("a plan change takes effect at once, without a restart")
    func planChange() async throws {
        try await withRelay { client in
            let tenant = try await client.tenant(overrides: ["rpm": 1])
            #expect(try await client.get("/v1/info", token: tenant.key).status == .ok)
            expectError(try await client.get("/v1/info", token: tenant.key), .tooManyRequests, "rate_limit_exceeded")
            try await client.setPlan("professional", for: tenant.owner)
            let now = try await client.get("/v1/info", token: tenant.key)
            #expect(now.status == .ok && now.header("X-RateLimit-Limit-Minute") == "300")
            let current = try await client.get("/console/api/workspaces/current", token: tenant.owner.token)
            #expect(current.json["plan"].string == "professional")
        }
    }

    @Test("enterprise without overrides is unlimited and announces no budget")
    func unlimited() async throws {
        try await withRelay { client in
            let tenant = try await client.tenant(plan: "enterprise")
            let replies = try await client.concurrently(80, .get, "/v1/info", token: tenant.key)
            #expect(replies.allSatisfy { $0.status == .ok && $0.header("X-RateLimit-Limit") == nil })
        }
    }

    @Test("console calls that change things are limited per account, with the same headers")
    func consoleWrites() async throws {
        try await withRelay(configure: { $0.consoleWritesPerMinute = 3 }) { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            for index in 0..<2 {
                let created = try await client.post("/console/api/apps", token: owner.token, json: ["name": .string("A\(index)"), "mode": "chat"])
                #expect(created.status == .created)
                #expect(created.header("X-RateLimit-Remaining-Minute") == "\(3 - index - 1)")
            }
            // A refused change also spends budget: it was attempted.
            expectError(
                try await client.post("/console/api/apps", token: owner.token, json: ["name": "", "mode": "chat"]), .badRequest, "invalid_param")
            let refused = try await client.post("/console/api/apps", token: owner.token, json: ["name": "A3", "mode": "chat"])
            expectError(refused, .tooManyRequests, "rate_limit_exceeded")
            #expect(refused.header("Retry-After") != nil)
            #expect(try await client.get("/console/api/apps", token: owner.token).json["total"].int == 2)
            // Dify reads the current workspace with POST: a read, not a change, so it is not refused or counted.
            let current = try await client.post("/console/api/workspaces/current", token: owner.token)
            #expect(current.status == .ok && current.header("X-RateLimit-Limit") == nil)
        }
    }
}
