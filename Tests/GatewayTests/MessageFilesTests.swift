import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Files of every kind in messages: documents read for the model, audio and video listed, the app's rules, previews")
struct MessageFilesTests {
    static let mp3 = Array("ID3".utf8) + [UInt8](repeating: 0, count: 64)
    static let mp4 = [0, 0, 0, 0x18] + Array("ftypisom".utf8) + [UInt8](repeating: 0, count: 64)

    static func file(_ type: String, _ id: String) -> JSONValue {
        ["type": .string(type), "transfer_method": "local_file", "upload_file_id": .string(id)]
    }

    @Test("audio and video upload by kind; a document's text reaches the model after the query; audio is listed, not sent")
    func kinds() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub, model: "stub-verbatim")
                let audio = try await client.upload(Self.mp3, filename: "voice.mp3", token: app.key)
                #expect(audio.status == .created && audio.json["mime_type"] == "audio/mpeg", "\(audio.json)")
                let video = try await client.upload(Self.mp4, filename: "clip.mp4", token: app.key)
                #expect(video.status == .created && video.json["mime_type"] == "video/mp4", "\(video.json)")
                expectError(
                    try await client.upload(Array("not a wav".utf8), filename: "fake.wav", token: app.key), .unsupportedMediaType,
                    "unsupported_file_type")
                let notes = try await client.upload(Array("# Minutes\nThe launch moves to May.".utf8), filename: "notes.md", token: app.key)
                let notesID = try #require(notes.json["id"].string)

                let reply = try await client.chat(
                    app, "When is the launch?",
                    extra: ["files": [Self.file("document", notesID), Self.file("audio", try #require(audio.json["id"].string))]])
                #expect(reply.status == .ok, "\(reply.json)")
                let answer = try #require(reply.json["answer"].string)
                #expect(answer.hasPrefix("When is the launch?"), "\(answer)")
                #expect(answer.contains("<file name=\"notes.md\">") && answer.contains("The launch moves to May."), "\(answer)")
                let conversation = try #require(reply.json["conversation_id"].string)
                let listed = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key).json
                let files = listed["data"][0]["message_files"].array
                #expect(files.compactMap { $0["type"].string } == ["document", "audio"], "\(listed)")
                #expect(files[0]["filename"] == "notes.md" && files[1]["mime_type"] == "audio/mpeg")

                // A file sent as another type than it is, or a type Dify has not, is refused.
                expectError(
                    try await client.chat(app, "x", extra: ["files": [Self.file("video", notesID)]]), .unsupportedMediaType, "unsupported_file_type")
                expectError(
                    try await client.chat(app, "x", extra: ["files": [Self.file("spreadsheet", notesID)]]), .badRequest, "invalid_param",
                    field: "files[0].type")
                expectError(
                    try await client.chat(
                        app, "x", extra: ["files": [["type": "document", "transfer_method": "remote_url", "url": "https://example.com/a.pdf"]]]),
                    .badRequest, "invalid_param", field: "files[0].transfer_method")
            }
        }
    }

    @Test("the app's file_upload settings decide the types, custom extensions, transfer methods and how many files")
    func appRules() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(
                    stub, model: "stub-verbatim",
                    config: [
                        "file_upload": [
                            "enabled": true, "allowed_file_types": ["document", "custom"], "allowed_file_extensions": [".CSV"],
                            "allowed_file_upload_methods": ["local_file"], "number_limits": 2,
                        ]
                    ])
                let table = try #require(try await client.upload(Array("a,b\n1,2\n".utf8), filename: "table.csv", token: app.key).json["id"].string)
                let page = try #require(try await client.upload(Array("hello".utf8), filename: "page.md", token: app.key).json["id"].string)
                let audio = try #require(try await client.upload(Self.mp3, filename: "voice.mp3", token: app.key).json["id"].string)

                #expect(try await client.chat(app, "x", extra: ["files": [Self.file("custom", table)]]).status == .ok)
                #expect(try await client.chat(app, "x", extra: ["files": [Self.file("document", page)]]).status == .ok)
                let refused = try await client.chat(app, "x", extra: ["files": [Self.file("custom", page)]])
                expectError(refused, .badRequest, "invalid_param", field: "files[0]")
                #expect(refused.message == "File validation failed for file: page.md")
                expectError(
                    try await client.chat(app, "x", extra: ["files": [Self.file("audio", audio)]]), .badRequest, "invalid_param", field: "files[0]")
                expectError(
                    try await client.chat(
                        app, "x", extra: ["files": [Self.file("document", page), Self.file("document", page), Self.file("custom", table)]]),
                    .badRequest, "too_many_files")
            }
        }
    }

    @Test("a file a message carries is previewed inline or as an attachment, by its app only; a fresh upload is not")
    func preview() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let app = try await client.chatApp(stub)
                let audio = try #require(try await client.upload(Self.mp3, filename: "voice.mp3", token: app.key).json["id"].string)
                let page = try #require(try await client.upload(Array("<p>hi</p>".utf8), filename: "page.html", token: app.key).json["id"].string)
                expectError(try await client.get("/v1/files/\(audio)/preview?user=alice", token: app.key), .notFound, "not_found")

                _ = try await client.chat(app, "listen", extra: ["files": [Self.file("audio", audio), Self.file("custom", page)]])
                let shown = try await client.get("/v1/files/\(audio)/preview?user=alice", token: app.key)
                #expect(shown.status == .ok)
                #expect(shown.header("Content-Type") == "audio/mpeg" && shown.header("Accept-Ranges") == "bytes")
                #expect(shown.header("Cache-Control") == "public, max-age=3600" && shown.header("Content-Disposition") == nil)
                #expect(Array(shown.body.readableBytesView) == Self.mp3)
                let downloaded = try await client.get("/v1/files/\(audio)/preview?as_attachment=true", token: app.key)
                #expect(downloaded.header("Content-Type") == "application/octet-stream")
                #expect(downloaded.header("Content-Disposition")?.hasPrefix("attachment; filename=\"voice.mp3\"") == true)
                // A page is never shown on this origin.
                let html = try await client.get("/v1/files/\(page)/preview", token: app.key)
                #expect(
                    html.header("Content-Type") == "application/octet-stream" && html.header("Content-Disposition")?.hasPrefix("attachment") == true)

                expectError(try await client.get("/v1/files/\(audio)/preview?as_attachment=maybe", token: app.key), .badRequest, "invalid_param")
                let other = try await client.chatApp(stub, owner: try await client.register("eve@example.com"), name: "Other")
                expectError(try await client.get("/v1/files/\(audio)/preview", token: other.key), .notFound, "not_found")
                let sibling = try await client.chatApp(stub, owner: app.owner, name: "Sibling")
                expectError(try await client.get("/v1/files/\(audio)/preview", token: sibling.key), .notFound, "not_found")
            }
        }
    }
}
