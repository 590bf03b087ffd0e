import Core
import Foundation
import RelayTestSupport
import Testing

@Suite("Console sign-in: setup, registration, login, refresh, logout")
struct AuthTests {
    @Test("setup creates the first owner exactly once")
    func setupOnce() async throws {
        try await withRelay { client in
            #expect(try await client.get("/console/api/setup").json["step"].string == "not_started")
            let owner = try await client.setUpOwner()
            let status = try await client.get("/console/api/setup")
            #expect(status.json["step"].string == "finished")
            #expect(status.json["setup_at"].int == Int(client.clock.now.timeIntervalSince1970))
            let again = try await client.post(
                "/console/api/setup", json: ["email": "other@example.com", "name": "Other", "password": "password123"]
            )
            expectError(again, .forbidden, "already_setup")
            let current = try await client.get("/console/api/workspaces/current", token: owner.token)
            #expect(current.json["role"].string == "owner")
            #expect(current.json["plan"].string == "sandbox")
            #expect(current.json["in_trial"].bool == false)
            #expect(current.json["trial_end_at"].isNull)
        }
    }

    @Test(
        "setup refuses bad input with the field named, and stores nothing",
        arguments: [
            (["email": "x@example.com", "name": "X", "password": "short1"], "password"),
            (["email": "x@example.com", "name": "X", "password": "lettersonly"], "password"),
            (["email": "x@example.com", "name": "X", "password": "1234567890"], "password"),
            (["email": "not-an-email", "name": "X", "password": "password123"], "email"),
            (["email": "x@example.com", "name": "   ", "password": "password123"], "name"),
            (["email": "x@example.com", "password": "password123"], "name"),
            (["email": "x@example.com", "name": 7, "password": "password123"], "name"),
        ] as [(JSONValue, String)]
    )
    func setupValidation(body: JSONValue, field: String) async throws {
        try await withRelay { client in
            expectError(try await client.post("/console/api/setup", json: body), .badRequest, "invalid_param", field: field)
            #expect(try await client.get("/console/api/setup").json["step"].string == "not_started")
        }
    }

    @Test("login answers a wrong password and an unknown address identically")
    func loginFailuresLookAlike() async throws {
        try await withRelay { client in
            _ = try await client.setUpOwner("owner@example.com")
            let wrongPassword = try await client.post("/console/api/login", json: ["email": "owner@example.com", "password": "wrong-pass1"])
            let unknown = try await client.post("/console/api/login", json: ["email": "nobody@example.com", "password": "wrong-pass1"])
            expectError(wrongPassword, .unauthorized, "unauthorized")
            expectError(unknown, .unauthorized, "unauthorized")
            #expect(wrongPassword.json == unknown.json)
            #expect(wrongPassword.header("WWW-Authenticate") == "Bearer realm=\"api\"")
            let ok = try await client.post("/console/api/login", json: ["email": "OWNER@example.com", "password": .string(RelayClient.password)])
            #expect(ok.json["result"].string == "success")
            #expect(ok.json["data"]["expires_in"].int == 900)
        }
    }

    @Test("failed sign-ins slow only the client that made them, with a wait that grows; the owner elsewhere signs in")
    func loginThrottle() async throws {
        try await withRelay { client in
            _ = try await client.setUpOwner("owner@example.com")
            let wrong: JSONValue = ["email": "owner@example.com", "password": "wrong-pass1"]
            let right: JSONValue = ["email": "owner@example.com", "password": .string(RelayClient.password)]
            for _ in 0..<3 {
                #expect(try await client.post("/console/api/login", json: wrong).status == .unauthorized)
            }
            // The fourth attempt from this client waits, even with the right password, and is not counted as a failure.
            let waiting = try await client.post("/console/api/login", json: right)
            expectError(waiting, .tooManyRequests, "rate_limit_exceeded")
            #expect(waiting.header("Retry-After") == "2")
            // The same account from another client is not held up: a stranger cannot lock the owner out.
            let port = try #require(client.client.port)
            let elsewhere = try await ChildProcess.run(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    """
                    import http.client, json, sys
                    c = http.client.HTTPConnection('127.0.0.1', \(port), source_address=('127.0.0.2', 0), timeout=30)
                    c.request('POST', '/console/api/login', json.dumps({'email': 'owner@example.com', 'password': sys.argv[1]}),
                              {'Content-Type': 'application/json'})
                    print(c.getresponse().status)
                    """, RelayClient.password,
                ]
            )
            #expect(elsewhere.output.trimmingCharacters(in: .whitespacesAndNewlines) == "200", "\(elsewhere.output)")
            // After the wait, another failure doubles the next one.
            client.clock.advance(by: 2)
            #expect(try await client.post("/console/api/login", json: wrong).status == .unauthorized)
            let longer = try await client.post("/console/api/login", json: right)
            #expect(longer.header("Retry-After") == "4")
            client.clock.advance(by: 4)
            _ = try await client.signIn("owner@example.com")
            // Signing in cleared this client's failures.
            #expect(try await client.post("/console/api/login", json: wrong).status == .unauthorized)
        }
    }

    @Test("parallel guesses from one client get no more than the three free tries")
    func loginThrottleUnderConcurrency() async throws {
        try await withRelay { client in
            _ = try await client.setUpOwner("owner@example.com")
            let replies = try await client.concurrently(
                12, .post, "/console/api/login", token: nil, json: ["email": "owner@example.com", "password": "wrong-pass1"]
            )
            #expect(replies.filter { $0.status == .unauthorized }.count == 3)
            #expect(replies.filter { $0.code == "rate_limit_exceeded" }.count == 9)
        }
    }

    @Test("refresh tokens rotate; presenting a spent one revokes the whole session")
    func refreshRotationAndReuse() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let first = try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)])
            #expect(first.status == .ok)
            let secondRefresh = try #require(first.json["data"]["refresh_token"].string)
            let secondAccess = try #require(first.json["data"]["access_token"].string)
            #expect(secondRefresh != owner.refreshToken)
            #expect(try await client.get("/console/api/apps", token: secondAccess).status == .ok)

            let reuse = try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)])
            expectError(reuse, .unauthorized, "unauthorized")
            // The family is gone: the live successor and every access token of the session are refused.
            expectError(
                try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(secondRefresh)]),
                .unauthorized, "unauthorized"
            )
            expectError(try await client.get("/console/api/apps", token: secondAccess), .unauthorized, "unauthorized")
            expectError(try await client.get("/console/api/apps", token: owner.token), .unauthorized, "unauthorized")
            // Another session of the same account is untouched.
            let other = try await client.signIn(owner.email)
            #expect(try await client.get("/console/api/apps", token: other.token).status == .ok)
        }
    }

    @Test("unknown and expired refresh tokens are refused")
    func refreshFailures() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            expectError(
                try await client.post("/console/api/refresh-token", json: ["refresh_token": "nonsense"]), .unauthorized, "unauthorized"
            )
            expectError(try await client.post("/console/api/refresh-token", json: [:]), .badRequest, "invalid_param", field: "refresh_token")
            client.clock.advance(by: 24 * 3600 + 1)
            let expired = try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)])
            expectError(expired, .unauthorized, "unauthorized")
            #expect(expired.message?.contains("expired") == true)
        }
    }

    @Test("remember_me keeps the refresh token for 30 days")
    func rememberMe() async throws {
        try await withRelay { client in
            _ = try await client.setUpOwner()
            let login = try await client.post(
                "/console/api/login", json: ["email": "owner@example.com", "password": .string(RelayClient.password), "remember_me": true]
            )
            let refresh = try #require(login.json["data"]["refresh_token"].string)
            client.clock.advance(by: 29 * 24 * 3600)
            #expect(try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(refresh)]).status == .ok)
        }
    }

    @Test("access tokens expire after 15 minutes and are refused with a clear message")
    func accessTokenExpiry() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            client.clock.advance(by: 14 * 60)
            #expect(try await client.get("/console/api/apps", token: owner.token).status == .ok)
            client.clock.advance(by: 2 * 60)
            let expired = try await client.get("/console/api/apps", token: owner.token)
            expectError(expired, .unauthorized, "unauthorized")
            #expect(expired.message?.contains("expired") == true)
            let renewed = try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)])
            #expect(try await client.get("/console/api/apps", token: try #require(renewed.json["data"]["access_token"].string)).status == .ok)
        }
    }

    @Test("logout ends the session: its access and refresh tokens stop working")
    func logout() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            #expect(try await client.post("/console/api/logout", token: owner.token).json["result"].string == "success")
            expectError(try await client.get("/console/api/apps", token: owner.token), .unauthorized, "unauthorized")
            expectError(
                try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)]),
                .unauthorized, "unauthorized"
            )
        }
    }

    @Test("a token signed with another secret, or tampered with, is refused")
    func forgedTokens() async throws {
        let foreign = try await withRelay(configure: { $0.secretKey = String(repeating: "k", count: 40) }) { client in
            try await client.setUpOwner().token
        }
        try await withRelay(configure: { $0.secretKey = String(repeating: "s", count: 40) }) { client in
            let owner = try await client.setUpOwner()
            expectError(try await client.get("/console/api/apps", token: foreign), .unauthorized, "unauthorized")
            var tampered = Array(owner.token)
            let index = tampered.count - 5
            tampered[index] = tampered[index] == "A" ? "B" : "A"
            expectError(try await client.get("/console/api/apps", token: String(tampered)), .unauthorized, "unauthorized")
            expectError(try await client.get("/console/api/apps", token: "not.a.jwt"), .unauthorized, "unauthorized")
            let noHeader = try await client.get("/console/api/apps")
            expectError(noHeader, .unauthorized, "unauthorized")
            #expect(noHeader.header("WWW-Authenticate") == "Bearer realm=\"api\"")
        }
    }

    @Test("registration is refused unless the operator allows it")
    func registrationSwitch() async throws {
        try await withRelay { client in
            _ = try await client.setUpOwner()
            let refused = try await client.post(
                "/console/api/register", json: ["email": "new@example.com", "name": "New", "password": "password123"]
            )
            expectError(refused, .forbidden, "access_denied")
            expectError(
                try await client.post("/console/api/login", json: ["email": "new@example.com", "password": "password123"]),
                .unauthorized, "unauthorized"
            )
        }
        try await withRelay(configure: { $0.allowsRegistration = true }) { client in
            let owner = try await client.setUpOwner()
            let newcomer = try await client.register("new@example.com")
            #expect(newcomer.workspaceID != owner.workspaceID)
            let current = try await client.get("/console/api/workspaces/current", token: newcomer.token)
            #expect(current.json["role"].string == "owner")
            let duplicate = try await client.post(
                "/console/api/register", json: ["email": "NEW@example.com", "name": "Again", "password": "password123"]
            )
            expectError(duplicate, .badRequest, "invalid_param", field: "email")
        }
    }
}
