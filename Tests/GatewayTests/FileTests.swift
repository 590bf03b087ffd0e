import Core
import Foundation
import Gateway
import Testing

@Suite("File uploads and images in messages")
struct FileTests {
    static let png = StubUpstream.png

    @Test("an upload is checked by extension, content and size, answers 201 in the seed's shape, and leaves nothing when refused")
    func upload() async throws {
        try await withTemporaryDirectory { directory in
            try await withRelay(dataDirectory: directory) { client in
                let owner = try await client.setUpOwner()
                let app = try await client.createApp("Files", as: owner)
                let key = try await client.issueKey(for: app, as: owner).secret

                let created = try await client.upload(Self.png, filename: "photo.PNG", token: key)
                #expect(created.status == .created, "\(created.json)")
                #expect(created.json["name"] == "photo.PNG")
                #expect(created.json["extension"] == "png")
                #expect(created.json["mime_type"] == "image/png")
                #expect(created.json["size"].int == Self.png.count)
                #expect(created.json["created_by"] == "alice")
                #expect(created.json["id"].string.flatMap(UUID.init(uuidString:)) != nil)
                let text = try await client.upload(Array("# Notes\nnaïve café".utf8), filename: "notes.md", token: key)
                #expect(text.json["mime_type"] == "text/markdown")
                // A client's folders are dropped from the name.
                #expect(try await client.upload(Array("x".utf8), filename: "../../etc/passwd.txt", token: key).json["name"] == "passwd.txt")

                expectError(
                    try await client.upload([0x4D, 0x5A, 0, 0], filename: "tool.exe", token: key), .unsupportedMediaType, "unsupported_file_type")
                expectError(
                    try await client.upload(Array("not a picture".utf8), filename: "fake.png", token: key), .unsupportedMediaType,
                    "unsupported_file_type")
                expectError(
                    try await client.upload([0x00, 0x01, 0x02], filename: "binary.txt", token: key), .unsupportedMediaType, "unsupported_file_type")
                let huge = Self.png + [UInt8](repeating: 0, count: 15 << 20)
                expectError(try await client.upload(huge, filename: "huge.png", token: key), .contentTooLarge, "file_too_large")
                expectError(try await client.upload([], filename: nil, token: key), .badRequest, "no_file_uploaded")
                expectError(try await client.post("/v1/files/upload", token: key, json: ["user": "alice"]), .badRequest, "no_file_uploaded")
                expectError(
                    try await client.upload(Self.png, filename: "a.png", fields: [:], token: key), .badRequest, "invalid_param", field: "user")

                // Only the three accepted files are on disk, and no partial ones.
                let folder = directory.appendingPathComponent("uploads/\(owner.workspaceID)")
                let stored = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                #expect(stored.count == 3, "\(stored)")
                #expect(stored.allSatisfy { !$0.hasSuffix(".part") })
            }
        }
    }

    @Test("uploads count against the plan's file storage")
    func storageQuota() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("sandbox", overrides: ["file_storage": 250], for: owner)
            let app = try await client.createApp("Files", as: owner)
            let key = try await client.issueKey(for: app, as: owner).secret
            #expect(try await client.upload(Self.png, filename: "one.png", token: key).status == .created)
            #expect(try await client.upload(Self.png, filename: "two.png", token: key).status == .created)
            let refused = try await client.upload(Self.png, filename: "three.png", token: key)
            expectError(refused, .forbidden, "forbidden")
            #expect(refused.message?.contains("file storage") == true)
            let usage = try await client.get("/console/api/workspaces/current/usage", token: owner.token).json
            #expect(usage["file_storage"] == ["limit": 250, "used": .number(Double(2 * Self.png.count))])
        }
    }

    @Test("images reach the model as data URLs, from uploads of this app or from public URLs; private targets are refused")
    func imagesInMessages() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.allowsRegistration = true
                $0.forChatTests()
            }) { client in
                let app = try await client.chatApp(stub)
                let uploaded = try #require(try await client.upload(Self.png, filename: "cat.png", token: app.key).json["id"].string)
                let notes = try #require(try await client.upload(Array("hello".utf8), filename: "notes.txt", token: app.key).json["id"].string)
                let reply = try await client.chat(
                    app, "what is this?", extra: ["files": [["type": "image", "transfer_method": "local_file", "upload_file_id": .string(uploaded)]]]
                )
                #expect(reply.status == .ok, "\(reply.json)")
                let content = stub.requests.last?["messages"].array.last?["content"]
                #expect(content?[0] == ["type": "text", "text": "what is this?"])
                #expect(content?[1]["image_url"]["url"].string == "data:image/png;base64,\(Data(Self.png).base64EncodedString())")
                let conversation = try #require(reply.json["conversation_id"].string)
                let listed = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key).json
                #expect(listed["data"][0]["message_files"][0]["id"].string == uploaded)

                expectError(
                    try await client.chat(app, "read", extra: ["files": [["transfer_method": "local_file", "upload_file_id": .string(notes)]]]),
                    .unsupportedMediaType, "unsupported_file_type"
                )
                // Another app's (or workspace's) uploads are not found.
                let other = try await client.chatApp(stub, owner: try await client.register("eve@example.com"), name: "Other")
                expectError(
                    try await client.chat(
                        other, "steal", extra: ["files": [["transfer_method": "local_file", "upload_file_id": .string(uploaded)]]]),
                    .notFound, "not_found"
                )
                // The stub listens on loopback: refused, directly and for metadata addresses.
                for url in [
                    "http://127.0.0.1:\(stub.port)/files/image.png", "http://169.254.169.254/latest/meta-data", "http://[::1]/x.png",
                    "http://10.0.0.1/a.png",
                ] {
                    expectError(
                        try await client.chat(app, "look", extra: ["files": [["transfer_method": "remote_url", "url": .string(url)]]]),
                        .badRequest, "invalid_param", field: "files[0].url"
                    )
                }
                expectError(
                    try await client.chat(app, "look", extra: ["files": [["transfer_method": "carrier_pigeon"]]]),
                    .badRequest, "invalid_param", field: "files[0].transfer_method"
                )
            }
            // An operator who allows private addresses: fetched, redirects followed, non-images refused.
            try await withRelay(configure: {
                $0.allowsPrivateFileURLs = true
                $0.forChatTests()
            }) { client in
                let app = try await client.chatApp(stub)
                // A query refused for another reason fetches nothing.
                let image: [String: JSONValue] = [
                    "files": [["transfer_method": "remote_url", "url": .string("http://127.0.0.1:\(stub.port)/files/image.png")]]
                ]
                expectError(try await client.chat(app, "", extra: image), .badRequest, "invalid_param", field: "query")
                #expect(stub.fileFetches == 0)
                let reply = try await client.chat(
                    app, "look",
                    extra: [
                        "files": [["type": "image", "transfer_method": "remote_url", "url": .string("http://127.0.0.1:\(stub.port)/files/moved")]]
                    ]
                )
                #expect(reply.status == .ok, "\(reply.json)")
                #expect(
                    stub.requests.last?["messages"].array.last?["content"][1]["image_url"]["url"].string?.hasPrefix("data:image/png;base64,") == true)
                expectError(
                    try await client.chat(
                        app, "look",
                        extra: ["files": [["transfer_method": "remote_url", "url": .string("http://127.0.0.1:\(stub.port)/files/page.html")]]]
                    ),
                    .unsupportedMediaType, "unsupported_file_type"
                )
            }
        }
    }
}
