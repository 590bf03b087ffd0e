import Core
import Crypto
import Foundation
import JWTKit
import Logging
import RelayTestSupport
import Synchronization
import Testing

@testable import Tenancy

@Suite("Tenancy building blocks")
struct TenancyTests {
    @Test("the sign-in throttle lets three failures pass, then asks a wait that doubles with each failure, up to its cap")
    func throttle() {
        let throttle = LoginThrottle(freeFailures: 3, firstDelay: 2, maxDelay: 60, window: 900)
        let start = Date(timeIntervalSince1970: 0)
        let failures = (0..<10).map { start + Double($0) * 100 }
        #expect(throttle.retryAfter(failures: [], now: start) == nil)
        #expect(throttle.retryAfter(failures: Array(failures.prefix(2)), now: start + 100) == nil)
        // The third failure was at 200: the fourth attempt waits 2 s after it, the fifth 4 s after the fourth failure.
        #expect(throttle.retryAfter(failures: Array(failures.prefix(3)), now: start + 200) == 2)
        #expect(throttle.retryAfter(failures: Array(failures.prefix(3)), now: start + 202) == nil)
        #expect(throttle.retryAfter(failures: Array(failures.prefix(4)), now: start + 300) == 4)
        #expect(throttle.retryAfter(failures: Array(failures.prefix(5)), now: start + 401) == 7)
        // Never longer than the cap, however many failures.
        #expect(throttle.retryAfter(failures: failures, now: start + 900) == 60)
        #expect(throttle.failuresThatMatter == 3 + 5 + 1)
    }

    @Test("secrets are long, drawn from [A-Za-z0-9], distinct, and hashed to 64 hex digits")
    func secrets() {
        let secrets = (0..<1000).map { _ in SecretToken.random(count: 24) }
        #expect(Set(secrets).count == 1000)
        #expect(secrets.allSatisfy { $0.count == 24 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        // Every character of the alphabet turns up: the draw covers it.
        #expect(Set(secrets.joined()).count == 62)
        let hash = SecretToken.hash("app-abc")
        #expect(hash.count == 64 && hash == SecretToken.hash("app-abc") && hash != SecretToken.hash("app-abd"))
    }

    @Test("e-mail addresses are normalised; malformed ones are refused")
    func emails() throws {
        #expect(try AccountRules.email("  Ada@Example.COM ") == "ada@example.com")
        for bad in ["ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@@example.com", "ada@.com"] {
            #expect(throws: RelayError.self) { try AccountRules.email(bad) }
        }
    }

    @Test("passwords need 8 characters with letters and digits, and fit bcrypt's 72 bytes")
    func passwords() throws {
        #expect(try AccountRules.password("abcdefg1") == "abcdefg1")
        for bad in ["abc1", "abcdefgh", "12345678", String(repeating: "a1", count: 37)] {
            #expect(throws: RelayError.self) { try AccountRules.password(bad) }
        }
    }

    @Test("bcrypt hashes verify only their own password")
    func hashing() async throws {
        let hasher = PasswordHasher(cost: 4)
        let hash = try await hasher.hash("secret-1")
        #expect(try await hasher.verify("secret-1", against: hash))
        #expect(try await !hasher.verify("secret-2", against: hash))
        #expect(PasswordHasher().cost == 12)
    }

    @Test("access tokens name their signing key, which changes with the secret")
    func keyIDs() async throws {
        func kid(_ secret: String) async throws -> String {
            try await TestDatabase.withStores { stores, _ in
                let service = await SessionService.make(store: stores.sessions, secret: secret, now: Date.init)
                let token = try await service.accessToken(for: AccountID(), in: WorkspaceID(), session: SessionID())
                let header = try #require(token.split(separator: ".").first)
                var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                while base64.count % 4 != 0 { base64 += "=" }
                let json = try JSONDecoder().decode([String: String].self, from: try #require(Data(base64Encoded: base64)))
                #expect(json["alg"] == "HS256")
                return try #require(json["kid"])
            }
        }
        let first = try await kid(String(repeating: "a", count: 32))
        #expect(try await kid(String(repeating: "a", count: 32)) == first)
        #expect(try await kid(String(repeating: "b", count: 32)) != first)
    }

    @Test("a token signed with the right key but naming another key id, or none, is refused")
    func unknownKeyIDs() async throws {
        try await TestDatabase.withStores { stores, _ in
            let secret = String(repeating: "s", count: 32)
            let service = await SessionService.make(store: stores.sessions, secret: secret, now: Date.init)
            let workspace = Workspace(id: WorkspaceID(), name: "W", createdAt: Date())
            try await stores.accounts.register(NewAccount(email: "k@example.com", name: "K", passwordHash: "x"), workspace: workspace, at: Date())
            let account = try #require(try await stores.accounts.credential(email: "k@example.com")).account.id
            let pair = try await service.start(for: account, in: workspace.id, rememberMe: false)
            _ = try await service.authenticate(pair.accessToken)
            // The same claims, signed with the same key, under another key id and under none.
            let signingKey = Data(
                HMAC<SHA256>.authenticationCode(for: Data("relay access tokens v1".utf8), using: SymmetricKey(data: Data(secret.utf8)))
            )
            let claims = try await JWTKeyCollection().unverified(pair.accessToken, as: AccessTokenClaims.self)
            let renamed = JWTKeyCollection()
            await renamed.add(hmac: HMACKey(from: signingKey), digestAlgorithm: .sha256, kid: "another-key")
            let unnamed = JWTKeyCollection()
            await unnamed.add(hmac: HMACKey(from: signingKey), digestAlgorithm: .sha256)
            for forged in [try await renamed.sign(claims), try await unnamed.sign(claims)] {
                await #expect(throws: RelayError.self) { try await service.authenticate(forged) }
            }
        }
    }
}

@Suite("Message credits")
struct CreditLedgerTests {
    @Test("200 concurrent reservations against 10 remaining credits admit exactly 10; settling frees what was not spent")
    func reserveAndSettle() async throws {
        try await TestDatabase.withStores { stores, _ in
            let workspace = Workspace(id: WorkspaceID(), name: "W", createdAt: Date())
            try await stores.accounts.register(NewAccount(email: "a@example.com", name: "A", passwordHash: "x"), workspace: workspace, at: Date())
            let ledger = CreditLedger(store: stores.credits)
            let limits = PlanLimits(messageCreditsPerMonth: 10)
            let date = Date(timeIntervalSince1970: 1_800_000_000)

            let reservations = await withTaskGroup(of: CreditLedger.Reservation?.self) { group in
                for _ in 0..<200 { group.addTask { try? await ledger.reserve(1, for: workspace.id, limits: limits, at: date) } }
                var admitted: [CreditLedger.Reservation] = []
                for await reservation in group { if let reservation { admitted.append(reservation) } }
                return admitted
            }
            #expect(reservations.count == 10)
            await #expect(throws: RelayError.self) { try await ledger.reserve(1, for: workspace.id, limits: limits, at: date) }

            // Half the work spent its credit; the other half gives it back.
            for (index, reservation) in reservations.enumerated() { try await ledger.settle(reservation, used: index % 2) }
            #expect(try await ledger.used(by: workspace.id, at: date) == 5)
            var more = 0
            while (try? await ledger.reserve(1, for: workspace.id, limits: limits, at: date)) != nil { more += 1 }
            #expect(more == 5)
            // A new month starts afresh.
            #expect((try? await ledger.reserve(10, for: workspace.id, limits: limits, at: date + 31 * 86_400)) != nil)
        }
    }
}

@Suite("Usage recording")
struct UsageRecorderTests {
    @Test("reads during flushes neither miss nor double what was recorded")
    func readsDuringFlushes() async throws {
        try await TestDatabase.withStores { stores, _ in
            let workspace = Workspace(id: WorkspaceID(), name: "W", createdAt: Date())
            try await stores.accounts.register(NewAccount(email: "a@example.com", name: "A", passwordHash: "x"), workspace: workspace, at: Date())
            let recorder = UsageRecorder(store: stores.usage, logger: Logger(label: "test"))
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            let app = App(
                id: AppID(), workspaceID: workspace.id, name: "A", mode: .chat, icon: "x", iconBackground: "#000", description: "",
                enableSite: true, enableAPI: true, apiRPM: 0, apiRPH: 0, isDemo: false, createdBy: nil, createdAt: date, updatedAt: date
            )
            let key = APIKey(
                id: APIKeyID(), workspaceID: workspace.id, appID: app.id, kind: .app, name: "", permissions: [], hint: "h", createdAt: date)
            let grant = PublicGrant(
                key: key, app: app, plan: WorkspacePlan(workspaceID: workspace.id, plan: Plan(name: "p", limits: PlanLimits()), overrides: [:]))
            let day = UsageRecorder.day(of: date)
            let recorded = RecordedCount()

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 0..<400 {
                        recorded.started.withLock { $0 += 1 }
                        recorder.record(grant, at: date)
                        recorded.finished.withLock { $0 += 1 }
                        if round % 7 == 0 { await recorder.flush() }
                    }
                }
                group.addTask {
                    var last = 0
                    for _ in 0..<200 {
                        // A record under way while the total is read may or may not be in it.
                        let finishedBefore = recorded.finished.withLock { $0 }
                        let total = try await recorder.totals(of: workspace.id, fromDay: day).workspace.requests
                        let startedAfter = recorded.started.withLock { $0 }
                        #expect(total >= last && total >= finishedBefore && total <= startedAfter)
                        last = total
                    }
                }
                try await group.waitForAll()
            }
            await recorder.flush()
            #expect(try await recorder.totals(of: workspace.id, fromDay: day).workspace.requests == 400)
            #expect(try await stores.usage.totals(of: workspace.id, fromDay: day).workspace.requests == 400)
        }
    }
}

final class RecordedCount: Sendable {
    /// Records begun, and records done: the true count lies between them.
    let started = Mutex(0)
    let finished = Mutex(0)
}
