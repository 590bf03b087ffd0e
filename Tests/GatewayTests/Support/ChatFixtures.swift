import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

/// A chat-ready app: the workspace's provider points at the stub, the app has a model config and a key.
struct ChatApp: Sendable {
    let owner: Owner
    let id: String
    let key: String
}

extension RelayClient {
    /// Points the owner's workspace at the stub as its OpenAI-compatible provider.
    func configureStubProvider(_ stub: StubUpstream, as owner: Owner) async throws {
        let reply = try await post(
            "/console/api/workspaces/current/model-providers/openai_api_compatible/credentials", token: owner.token,
            json: ["credentials": ["endpoint_url": .string(stub.baseURL), "api_key": "sk-good"]]
        )
        try #require(reply.status == .ok, "credentials: \(reply.json)")
    }

    /// Creates an app of `mode` answered by `model` of the stub, with `config` merged into its model config.
    func chatApp(
        _ stub: StubUpstream, model: String = "stub-chat", mode: String = "chat", config: [String: JSONValue] = [:],
        owner existing: Owner? = nil, name: String = "Chatty"
    ) async throws -> ChatApp {
        let owner: Owner
        if let existing {
            owner = existing
        } else {
            owner = try await setUpOwner()
        }
        try await configureStubProvider(stub, as: owner)
        let app = try await createApp(name, mode: mode, as: owner)
        var body: [String: JSONValue] = [
            "model": ["provider": "openai_api_compatible", "name": .string(model), "completion_params": ["temperature": 0]]
        ]
        body.merge(config) { $1 }
        let saved = try await post("/console/api/apps/\(app)/model-config", token: owner.token, json: .object(body))
        try #require(saved.status == .ok, "model config: \(saved.json)")
        return ChatApp(owner: owner, id: app, key: try await issueKey(for: app, as: owner).secret)
    }

    func chat(
        _ app: ChatApp, _ query: String, user: String = "alice", conversation: String? = nil, extra: [String: JSONValue] = [:]
    )
        async throws -> Reply
    {
        var body: [String: JSONValue] = ["query": .string(query), "inputs": [:], "user": .string(user), "response_mode": "blocking"]
        if let conversation { body["conversation_id"] = .string(conversation) }
        body.merge(extra) { $1 }
        return try await post("/v1/chat-messages", token: app.key, json: .object(body))
    }
}

/// One Server-Sent Events response read as it arrives, over a real connection.
struct EventStreamReader {
    let response: HTTPClientResponse
    var iterator: HTTPClientResponse.Body.AsyncIterator
    /// Every byte received so far, for checks of the framing.
    var raw = ""
    private var pending = ""

    /// Like `HTTPClient.shared`, but not limited to eight connections per host: tests hold more streams open at once.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256))
    )

    static func open(port: Int, path: String, token: String, json: JSONValue) async throws -> EventStreamReader {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        return EventStreamReader(response: response, iterator: response.body.makeAsyncIterator())
    }

    /// The next frame (the text before a blank line), or `nil` at the end of the stream.
    mutating func next() async throws -> String? {
        while true {
            if let end = pending.range(of: "\n\n") {
                let frame = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                return frame
            }
            guard let buffer = try await iterator.next() else { return nil }
            let text = String(buffer: buffer)
            raw += text
            pending += text
        }
    }

    /// Reads the stream to its end: how many `message` pieces came, and the last event.
    mutating func drain() async throws -> (pieces: Int, last: JSONValue?) {
        var pieces = 0
        var last: JSONValue?
        while let event = try await nextEvent() {
            last = event
            if event["event"] == "message" { pieces += 1 }
        }
        return (pieces, last)
    }

    /// The next data frame's JSON, skipping pings.
    mutating func nextEvent() async throws -> JSONValue? {
        while let frame = try await next() {
            if frame == "event: ping" { continue }
            #expect(frame.hasPrefix("data: "), "frame: \(frame)")
            return try JSONDecoder().decode(JSONValue.self, from: Data(frame.dropFirst(6).utf8))
        }
        return nil
    }
}

extension RelayClient {
    /// Uploads `bytes` as the multipart field `file` named `filename`, with the other `fields`.
    func upload(
        _ bytes: [UInt8], filename: String?, field: String = "file", to path: String = "/v1/files/upload",
        fields: [String: String] = ["user": "alice"], token: String, method: NIOHTTP1.HTTPMethod = .POST
    ) async throws -> Reply {
        let boundary = "----relay-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        if let filename {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\n")
            body.writeString("Content-Type: application/octet-stream\r\n\r\n")
            body.writeBytes(bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        // Over its own connection with a generous timeout: a refused upload of many megabytes is still sent whole
        // before its answer is read, which a loaded machine can make slower than the test client's read timeout.
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(try #require(client.port))\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        request.body = .bytes(body)
        return try await Reply.slowly(request)
    }
}

extension Reply {
    /// `request` sent over a connection of its own with a 5-minute timeout, for calls a loaded machine can make slower
    /// than the test client's read timeout (big uploads, installs that make a Python environment).
    static func slowly(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await EventStreamReader.client.execute(request, timeout: .seconds(300))
        let received = try await response.body.collect(upTo: 16 << 20)
        let parsed = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: received))) ?? .null
        var headers = HTTPFields()
        for header in response.headers { if let name = HTTPField.Name(header.name) { headers[name] = header.value } }
        return Reply(status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers, body: received, json: parsed)
    }
}
