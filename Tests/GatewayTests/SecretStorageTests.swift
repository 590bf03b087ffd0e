import Core
import Foundation
import RelayTestSupport
import Testing

@Suite("Secrets at rest")
struct SecretStorageTests {
    @Test("passwords are bcrypt at cost 12; API keys, refresh and invitation tokens are never stored in the clear")
    func onlyHashesAreStored() async throws {
        try await withTemporaryDirectory { directory in
            let secrets = try await withRelay(dataDirectory: directory, configure: { $0.passwordHashCost = 12 }) { client in
                let owner = try await client.setUpOwner()
                try await client.setPlan("team", for: owner)
                let app = try await client.createApp("Bot", as: owner)
                let key = try await client.issueKey(for: app, as: owner)
                let workspaceKey = try await client.post("/console/api/api-keys", token: owner.token, json: ["name": "W", "permissions": ["chat"]])
                let invite = try await client.post(
                    "/console/api/workspaces/current/members/invite-email", token: owner.token,
                    json: ["emails": ["new@example.com"], "role": "normal"]
                )
                return [
                    RelayClient.password, owner.refreshToken, key.secret, workspaceKey.json["token"].string ?? "missing",
                    invite.json["invitation_results"][0]["token"].string ?? "missing",
                ]
            }
            let stored = try await TestDatabase.storedBytes(of: try #require(TestDatabase.database(of: directory)))
            #expect(!stored.isEmpty)
            for secret in secrets {
                #expect(stored.range(of: Data(secret.utf8)) == nil, "found a secret in the database")
            }
            #expect(stored.range(of: Data("$2b$12$".utf8)) != nil || stored.range(of: Data("$2a$12$".utf8)) != nil)
        }
    }

    @Test("the secret key (generated into the data directory for SQLite, private to its owner) survives restarts, and so do sessions and data")
    func secretKeyPersists() async throws {
        try await withTemporaryDirectory { directory in
            let clock = TestClock()
            let (owner, app) = try await withRelay(clock: clock, dataDirectory: directory) { client in
                let owner = try await client.setUpOwner()
                return (owner, try await client.createApp("Kept", as: owner))
            }
            // Instances sharing PostgreSQL are given their secret; only SQLite's single instance generates one.
            if !TestDatabase.isPostgres {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("secret_key").path)
                #expect((attributes[.posixPermissions] as? Int) == 0o600)
            }
            try await withRelay(clock: clock, dataDirectory: directory) { client in
                #expect(try await client.get("/console/api/setup").json["step"].string == "finished")
                let kept = try await client.get("/console/api/apps/\(app)", token: owner.token)
                #expect(kept.json["name"].string == "Kept")
            }
        }
    }
}
