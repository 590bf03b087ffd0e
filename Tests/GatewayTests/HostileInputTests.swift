import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import Testing

/// Input that once could take the whole server down for every tenant: an empty multipart boundary made the parser trap,
/// and a huge page number overflowed an offset. Each is now a 400, and the server lives on.
@Suite("Input from a hostile client")
struct HostileInputTests {
    static let badContentTypes = [
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary= ",
        "multipart/form-data;boundary=\t",
        "multipart/form-data; boundary=" + String(repeating: "b", count: 71),
        "multipart/form-data; boundary=ends-in-space\\ ",
        "multipart/form-data; boundary=\"quoted\"; boundary=",
        "multipart/form-data; boundary=<not>allowed",
    ]

    /// Sends a small body under `contentType` and returns the reply.
    static func post(_ client: RelayClient, _ path: String, token: String, contentType: String) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(try #require(client.client.port))\(path)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(string: "--\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n----\r\n"))
        return try await Reply.slowly(request)
    }

    @Test("empty, blank, quoted-empty, over-long and ill-formed boundaries are a 400 on all four upload routes; the server lives on")
    func boundaries() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Uploads", as: owner)
            let appKey = try await client.issueKey(for: app, as: owner).secret
            let datasetKey = try await client.datasetKey(as: owner)
            let dataset = try await client.createDataset("Docs", permission: "all_team_members", token: owner.token)
            let routes: [(String, String)] = [
                ("/v1/files/upload", appKey),
                // The dataset need not exist for the body to be refused.
                ("/v1/datasets/\(UUID().uuidString.lowercased())/document/create_by_file", datasetKey),
                ("/v1/datasets/\(dataset)/document/create_by_file", datasetKey),
                ("/console/api/datasets/\(dataset)/document/create-by-file", owner.token),
                ("/console/api/workspaces/current/plugin/upload/pkg", owner.token),
            ]
            for (path, token) in routes {
                for contentType in Self.badContentTypes {
                    let reply = try await Self.post(client, path, token: token, contentType: contentType)
                    #expect(reply.status == .badRequest || reply.status == .notFound, "\(path) \(contentType): \(reply.status) \(reply.json)")
                    #expect(reply.json["code"].string != nil, "\(path) \(contentType): \(reply.json)")
                }
            }
            #expect(try await client.get("/health").status == .ok)
        }
    }

    @Test("a member who may not add documents is refused before the body is read")
    func permissionBeforeBody() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let dataset = try await client.createDataset("Docs", permission: "all_team_members", token: owner.token)
            let member = try await client.addMember("reader@example.com", role: "normal", to: owner)
            for contentType in ["multipart/form-data; boundary=", "text/plain"] {
                let reply = try await Self.post(
                    client, "/console/api/datasets/\(dataset)/document/create-by-file", token: member.token, contentType: contentType
                )
                expectError(reply, .forbidden, "access_denied")
            }
            #expect(try await client.get("/health").status == .ok)
        }
    }

    @Test("page numbers past any listing are a 400, never an overflow")
    func hugePages() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let datasetKey = try await client.datasetKey(as: owner)
            let dataset = try await client.createDataset("Docs", token: owner.token)
            let app = try await client.createApp("Flow", mode: "workflow", as: owner)
            let huge = "9223372036854775807"
            for (path, token) in [
                ("/console/api/apps?page=\(huge)", owner.token),
                ("/v1/datasets?page=\(huge)&limit=100", datasetKey),
                ("/v1/datasets/\(dataset)/documents?page=\(huge)", datasetKey),
                ("/console/api/apps/\(app)/workflows?page=\(huge)", owner.token),
                ("/console/api/workspaces/current/plugin/list?page=\(huge)&page_size=100", owner.token),
                ("/console/api/workspaces/current/plugins?page=\(huge)&page_size=100", owner.token),
            ] {
                expectError(try await client.get(path, token: token), .badRequest, "invalid_param", field: "page")
            }
            #expect(try await client.get("/health").status == .ok)
        }
    }
}
