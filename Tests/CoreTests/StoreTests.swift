import Foundation
import Logging
import RelayTestSupport
import Testing

@testable import Core

/// Stores on a fresh database of the run's engine for one test.
func withStores<T: Sendable>(_ body: @Sendable (RelayStores, DatabaseLocation) async throws -> T) async throws -> T {
    try await TestDatabase.withStores(body)
}

let epoch = Date(timeIntervalSince1970: 1_800_000_000)

func makeWorkspace(_ stores: RelayStores, owner email: String) async throws -> (AccountID, WorkspaceID) {
    let account = NewAccount(email: email, name: email, passwordHash: "x")
    let workspace = Workspace(id: WorkspaceID(), name: "W", createdAt: epoch)
    try await stores.accounts.register(account, workspace: workspace, at: epoch)
    return (account.id, workspace.id)
}

func makeApp(in workspace: WorkspaceID, name: String = "App") -> App {
    App(
        id: AppID(), workspaceID: workspace, name: name, mode: .chat, icon: "🤖", iconBackground: "#FFEAD5", description: "",
        enableSite: true, enableAPI: true, apiRPM: 0, apiRPH: 0, isDemo: false, createdBy: nil, createdAt: epoch, updatedAt: epoch
    )
}

@Suite("Stores")
struct StoreTests {
    @Test("migrations run once: reopening the database keeps every row")
    func reopenKeepsData() async throws {
        try await withStores { stores, location in
            let (_, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            let app = makeApp(in: workspace)
            try await stores.apps.insert(app)
            let reopened = try RelayDatabase.open(location, logger: Logger(label: "test"))
            #expect(try await reopened.withReady { try await $0.apps.app(app.id, in: workspace) } == app)
        }
    }

    @Test("an app is invisible and untouchable through another workspace's id")
    func appScoping() async throws {
        try await withStores { stores, _ in
            let (_, mine) = try await makeWorkspace(stores, owner: "a@example.com")
            let (_, theirs) = try await makeWorkspace(stores, owner: "b@example.com")
            let app = makeApp(in: mine)
            try await stores.apps.insert(app)
            #expect(try await stores.apps.app(app.id, in: theirs) == nil)
            #expect(try await stores.apps.apps(in: theirs, matching: AppQuery()).total == 0)
            #expect(try await stores.apps.update(app.id, in: theirs) { $0.name = "Mine now" } == nil)
            #expect(try await stores.apps.delete(app.id, in: theirs) == false)
            #expect(try await stores.apps.app(app.id, in: mine)?.name == "App")
            // The same name is free in another workspace.
            try await stores.apps.insert(makeApp(in: theirs, name: "App"))
        }
    }

    @Test("concurrent changes of different fields of one app both stand")
    func noLostUpdates() async throws {
        try await withStores { stores, _ in
            let (_, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            let app = makeApp(in: workspace)
            try await stores.apps.insert(app)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for rpm in 1...20 { group.addTask { _ = try await stores.apps.update(app.id, in: workspace) { $0.apiRPM = rpm } } }
                for rph in 1...20 { group.addTask { _ = try await stores.apps.update(app.id, in: workspace) { $0.apiRPH = rph * 100 } } }
                group.addTask { _ = try await stores.apps.update(app.id, in: workspace) { $0.description = "kept" } }
                try await group.waitForAll()
            }
            let stored = try #require(try await stores.apps.app(app.id, in: workspace))
            #expect(stored.description == "kept" && stored.apiRPM > 0 && stored.apiRPH > 0)
        }
    }

    @Test("concurrent key issuance never exceeds the limit")
    func keyLimitUnderConcurrency() async throws {
        try await withStores { stores, _ in
            let (_, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            let app = makeApp(in: workspace)
            try await stores.apps.insert(app)
            let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let key = APIKey(
                            id: APIKeyID(), workspaceID: workspace, appID: app.id, kind: .app, name: "", permissions: [], hint: "h",
                            createdAt: epoch
                        )
                        return try await stores.apiKeys.insert(key, secretHash: "hash-\(index)", limit: 10)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(admitted == 10)
            #expect(try await stores.apiKeys.appKeys(of: app.id, in: workspace).count == 10)
        }
    }

    @Test("two owners demoting each other at once still leave one owner")
    func lastOwnerUnderConcurrency() async throws {
        try await withStores { stores, _ in
            let (first, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            try await stores.plans.assign("team", overrides: [:], to: workspace)
            let outcome = try await stores.workspaces.invite(
                email: "b@example.com", role: .admin, to: workspace, invitationTokenHash: "t", expiresAt: epoch + 60, at: epoch
            )
            guard case .invited(let second) = outcome else {
                Issue.record("unexpected \(outcome)")
                return
            }
            #expect(try await stores.workspaces.changeRole(of: second.id, to: .owner, in: workspace) == .done)
            async let one = stores.workspaces.changeRole(of: first, to: .normal, in: workspace)
            async let two = stores.workspaces.changeRole(of: second.id, to: .normal, in: workspace)
            let results = try await [one, two]
            #expect(results.filter { $0 == .done }.count == 1)
            #expect(results.filter { $0 == .lastOwner }.count == 1)
            let owners = try await stores.workspaces.members(of: workspace).filter { $0.role == .owner }
            #expect(owners.count == 1)
        }
    }

    @Test("a refresh token used concurrently rotates once; every other use counts as reuse and revokes the session")
    func refreshTokenRace() async throws {
        try await withStores { stores, _ in
            let (account, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            let session = Session(id: SessionID(), accountID: account, workspaceID: workspace, refreshTokenLifetime: 3600)
            try await stores.sessions.createSession(session, refreshTokenHash: "first", at: epoch)
            let uses = try await withThrowingTaskGroup(of: RefreshTokenUse.self) { group in
                for index in 0..<8 {
                    group.addTask { try await stores.sessions.useRefreshToken(hash: "first", successorHash: "next-\(index)", at: epoch) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(uses.filter { $0 == .rotated(session) }.count == 1)
            #expect(uses.filter { $0 == .reused }.count == 7)
            #expect(try await stores.sessions.consoleGrant(account: account, session: session.id, workspace: workspace) == nil)
        }
    }

    @Test("a workspace key keeps every permission it was issued with")
    func keyPermissionsRoundTrip() async throws {
        try await withStores { stores, _ in
            let (_, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            let key = APIKey(
                id: APIKeyID(), workspaceID: workspace, appID: nil, kind: .workspace, name: "CI",
                permissions: [.chat, .completion, .dataset], hint: "h", createdAt: epoch
            )
            #expect(try await stores.apiKeys.insert(key, secretHash: "hash", limit: 10))
            #expect(try await stores.apiKeys.workspaceKeys(of: .workspace, in: workspace).first?.permissions == [.chat, .completion, .dataset])
            let found = try await stores.apiKeys.lookup(secretHash: "hash", requestedApp: nil, at: epoch)
            #expect(found?.key.permissions == [.chat, .completion, .dataset])
        }
    }

    @Test("limits and counts beyond 32 bits are kept and decided on")
    func wideLimits() async throws {
        try await withStores { stores, _ in
            let (_, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            let huge = 5_000_000_000
            #expect(try await stores.plans.define("global", limits: ["rpd": huge, "message_credits": huge]).limits.requestsPerDay == huge)
            try await stores.plans.assign("global", overrides: ["rph": huge + 1], to: workspace)
            let plan = try #require(try await stores.plans.workspacePlan(workspace))
            #expect(plan.limits.requestsPerDay == huge && plan.limits.requestsPerHour == huge + 1)
            let day = RateCounter(key: "ws:wide", windowLength: 86_400, windowStart: 1_799_971_200, limit: huge)
            let decision = try await stores.rateLimits.hit([day])
            #expect(decision.admitted && decision.hits == [1])
            #expect(try await stores.credits.reserve(huge - 1, for: workspace, month: 1, limit: huge))
        }
    }
}
