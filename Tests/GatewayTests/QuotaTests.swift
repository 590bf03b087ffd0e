import Core
import Foundation
import Testing

@Suite("Plan quotas and usage")
struct QuotaTests {
    @Test("a sandbox workspace holds 5 apps and 1 member; the refusal names the limit and the plan")
    func sandboxQuotas() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            for index in 0..<5 { _ = try await client.createApp("App \(index)", as: owner) }
            let sixth = try await client.post("/console/api/apps", token: owner.token, json: ["name": "Sixth", "mode": "chat"])
            expectError(sixth, .forbidden, "forbidden")
            #expect(sixth.message?.contains("sandbox") == true && sixth.message?.contains("5 apps") == true)
            let invite = try await client.post(
                "/console/api/workspaces/current/members/invite-email", token: owner.token,
                json: ["emails": ["new@example.com"], "role": "normal"]
            )
            expectError(invite, .forbidden, "forbidden")
            #expect(invite.message?.contains("1 members") == true)
            // Nothing of the refused invitation was kept: no pending account, no membership.
            #expect(try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array.count == 1)
            // An override lifts one limit for this workspace only.
            try await client.setPlan("sandbox", overrides: ["apps": 6], for: owner)
            #expect(try await client.post("/console/api/apps", token: owner.token, json: ["name": "Sixth", "mode": "chat"]).status == .created)
        }
    }

    @Test("a plan limit met part-way through an invitation keeps the tokens of those already invited")
    func invitationsPastTheLimit() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("sandbox", overrides: ["members": 3], for: owner)
            let invite = try await client.post(
                "/console/api/workspaces/current/members/invite-email", token: owner.token,
                json: ["emails": ["a@example.com", "b@example.com", "c@example.com"], "role": "normal"]
            )
            #expect(invite.status == .ok)
            let results = invite.json["invitation_results"].array
            #expect(results.map { $0["status"].string } == ["success", "success", "failed"])
            #expect(results[2]["message"].string?.contains("3 members") == true)
            let token = try #require(results[1]["token"].string)
            let activated = try await client.post("/console/api/activate", json: ["token": .string(token), "name": "B", "password": "password123"])
            #expect(activated.status == .ok)
            #expect(try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array.count == 3)
        }
    }

    @Test("concurrent creates cannot overshoot a quota")
    func concurrentCreates() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("sandbox", overrides: ["apps": 3], for: owner)
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await client.concurrently(
                            1, .post, "/console/api/apps", token: owner.token, json: ["name": .string("App \(index)"), "mode": "chat"]
                        )[0]
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .created }.count == 3)
            #expect(replies.filter { $0.code == "forbidden" }.count == 9)
            #expect(try await client.get("/console/api/apps", token: owner.token).json["total"].int == 3)
        }
    }

    @Test("usage shows each limit, what is used and when it resets, per workspace, app and key")
    func usageReport() async throws {
        let clock = TestClock()
        try await withRelay(clock: clock) { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Counted", as: owner)
            let first = try await client.issueKey(for: app, as: owner)
            let second = try await client.issueKey(for: app, as: owner)
            for _ in 0..<3 { _ = try await client.get("/v1/info", token: first.secret) }
            _ = try await client.get("/v1/meta", token: second.secret)
            let usage = try await client.get("/console/api/workspaces/current/usage", token: owner.token).json
            #expect(usage["plan"].string == "sandbox")
            #expect(usage["limits"]["rpm"].int == 60 && usage["limits"]["message_credits"].int == 200)
            #expect(usage["requests"]["minute"]["used"].int == 4 && usage["requests"]["minute"]["remaining"].int == 56)
            #expect(usage["requests"]["minute"]["reset_in"].int == 60)
            #expect(usage["requests"]["day"]["limit"].int == 10000)
            #expect(usage["apps"]["used"].int == 1 && usage["apps"]["limit"].int == 5)
            #expect(usage["members"]["used"].int == 1 && usage["members"]["limit"].int == 1)
            #expect(usage["usage"]["requests_today"].int == 4 && usage["usage"]["requests_this_month"].int == 4)
            let keys = usage["usage"]["api_keys"].array
            #expect(keys.first { $0["id"].string == first.id }?["requests"].int == 3)
            #expect(keys.first { $0["id"].string == second.id }?["requests"].int == 1)
            #expect(usage["usage"]["apps"].array.first?["requests"].int == 4)

            let subscription = try await client.get("/console/api/billing/subscription", token: owner.token).json
            #expect(subscription["subscription"]["plan"].string == "sandbox")
            #expect(subscription["apps"]["size"].int == 1 && subscription["apps"]["limit"].int == 5)
            #expect(subscription["vector_space"]["limit"].int == 50)

            // The next day starts a new count; the month keeps it.
            clock.advance(by: 86_400)
            let signedIn = try await client.signIn(owner.email)
            let tomorrow = try await client.get("/console/api/workspaces/current/usage", token: signedIn.token).json
            #expect(tomorrow["usage"]["requests_today"].int == 0)
            #expect(tomorrow["requests"]["day"]["used"].int == 0)
        }
    }

    @Test("the operator API needs the admin key and checks what it is given")
    func operatorAPI() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            expectError(try await client.get("/admin/api/plans"), .unauthorized, "unauthorized")
            expectError(try await client.get("/admin/api/plans", token: "wrong-key-wrong-key"), .unauthorized, "unauthorized")
            expectError(try await client.get("/admin/api/plans", token: owner.token), .unauthorized, "unauthorized")
            let plans = try await client.get("/admin/api/plans", token: RelayClient.adminKey).json["data"].array
            #expect(plans.compactMap { $0["name"].string } == ["sandbox", "professional", "team", "enterprise"])
            #expect(plans[0]["limits"]["rph"].int == 1000 && plans[1]["limits"]["members"].int == 3)

            let custom = try await client.send(
                .put, "/admin/api/plans/startup", token: RelayClient.adminKey, json: ["limits": ["rpm": 120, "apps": 20]])
            #expect(custom.json["limits"]["rpm"].int == 120 && custom.json["limits"]["rpd"].int == 0)
            let assigned = try await client.send(
                .put, "/admin/api/workspaces/\(owner.workspaceID)/plan", token: RelayClient.adminKey,
                json: ["plan": "startup", "overrides": ["rpd": 500]]
            )
            #expect(assigned.json["plan"].string == "startup" && assigned.json["limits"]["rpd"].int == 500)

            let path = "/admin/api/workspace/plan"
            let admin = RelayClient.adminKey
            expectError(
                try await client.send(.put, path, token: admin, json: ["plan": "team"]), .badRequest, "invalid_param", field: "X-WORKSPACE-ID")
            expectError(
                try await client.send(.put, path, token: admin, json: ["plan": "gold"], headers: ["X-WORKSPACE-ID": owner.workspaceID]),
                .notFound, "not_found"
            )
            expectError(
                try await client.send(.put, path, token: admin, json: ["plan": "team"], headers: ["X-WORKSPACE-ID": UUID().uuidString]),
                .notFound, "not_found"
            )
            expectError(
                try await client.send(
                    .put, path, token: admin, json: ["plan": "team", "overrides": ["speed": 1]], headers: ["X-WORKSPACE-ID": owner.workspaceID]),
                .badRequest, "invalid_param", field: "overrides"
            )
            expectError(
                try await client.send(
                    .put, path, token: admin, json: ["plan": "team", "overrides": ["rpm": -1]], headers: ["X-WORKSPACE-ID": owner.workspaceID]),
                .badRequest, "invalid_param", field: "overrides"
            )
            expectError(
                try await client.send(.put, "/admin/api/plans/bad%20name", token: admin, json: ["limits": [:]]), .badRequest, "invalid_param",
                field: "name")
            #expect(try await client.get("/console/api/workspaces/current", token: owner.token).json["plan"].string == "startup")
        }
        try await withRelay(configure: { $0.adminKey = nil }) { client in
            expectError(try await client.get("/admin/api/plans", token: RelayClient.adminKey), .forbidden, "access_denied")
        }
    }
}
