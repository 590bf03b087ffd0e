import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// An OpenAI-compatible model server for the tests, on a loopback port: real HTTP, streamed chunks. What it does
/// depends on the model asked for:
/// - `stub-chat`: streams "Echo: " and the last line of the last user message, word by word, then its usage (11 prompt, 7 completion).
/// - `stub-slow`: streams "tick " every `slowDelay`, 1,500 times; notes when its client went away.
/// - `stub-500`, `stub-429`: fails so (the 429 with `retry-after: 7`).
/// - `stub-midfail`: one chunk, then an error event.
/// - `stub-quiet`: sends its headers, then nothing for 30 s.
/// - `stub-verbatim`: streams the last user message back as it is, in one piece.
/// - `stub-agent`: calls the first tool offered with `{"text": <the query>}`; once a tool answered, "Tool said: " and the answer.
/// - `POST /v1/embeddings` with `stub-embed`: per input `[its character count, 0.5, -1]`, 3 tokens each; with
///   `stub-embed-words`: 384 dimensions, a bag of words (each lower-cased word counted in the dimension its FNV-1a hash
///   picks), so texts sharing words are near; `stub-embed-slow` the same after 300 ms; `stub-embed-500` always fails
///   with HTTP 500.
/// - `POST /v1/rerank` with `stub-rerank`: each document's share of the query's words.
/// - `POST /v1/moderations`: flags any input with the word "forbidden".
/// - `POST /v1/audio/transcriptions`: "heard <file name> with <model>"; `POST /v1/audio/speech`: "ID3 <input> / <voice>".
/// Only `Bearer <acceptedKey>` is let in.
final class StubUpstream: Sendable {
    struct State {
        var acceptedKey = "sk-good"
        var requests: [JSONValue] = []
        var attempts: [String: Int] = [:]
        var cancelledStreams = 0
        var finishedStreams = 0
        var fileFetches = 0
        /// `stub-slow` answers being sent now, and the most at once.
        var openStreams = 0
        var mostOpenStreams = 0
        /// Texts embedded so far, by any model.
        var embeddedTexts = 0
    }

    let state = Mutex(State())
    let slowDelay: Duration
    private let portBox = Mutex<Int?>(nil)

    init(slowDelay: Duration = .milliseconds(50)) {
        self.slowDelay = slowDelay
    }

    var port: Int { portBox.withLock { $0 ?? 0 } }
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var requests: [JSONValue] { state.withLock { $0.requests } }
    func attempts(_ model: String) -> Int { state.withLock { $0.attempts[model, default: 0] } }
    var cancelledStreams: Int { state.withLock { $0.cancelledStreams } }
    var openStreams: Int { state.withLock { $0.openStreams } }
    var finishedStreams: Int { state.withLock { $0.finishedStreams } }
    /// The slow streams' counts, for a failure's message.
    var streamState: String {
        state.withLock { "(slow streams: \($0.openStreams) open, \($0.cancelledStreams) cancelled, \($0.finishedStreams) finished)" }
    }
    var fileFetches: Int { state.withLock { $0.fileFetches } }
    var embeddedTexts: Int { state.withLock { $0.embeddedTexts } }

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// The `stub-embed-words` vector of `text`.
    static func bagOfWords(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: 384)
        for word in words(text) {
            var hash: UInt32 = 2_166_136_261
            for byte in word.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            vector[Int(hash % 384)] += 1
        }
        if vector.allSatisfy({ $0 == 0 }) { vector[0] = 1 }
        return vector
    }
    var mostOpenStreams: Int { state.withLock { $0.mostOpenStreams } }
    func accept(_ key: String) { state.withLock { $0.acceptedKey = key } }

    /// Runs the stub for the duration of `body`.
    static func with<T: Sendable>(slowDelay: Duration = .milliseconds(50), _ body: @Sendable (StubUpstream) async throws -> T) async throws -> T {
        let stub = StubUpstream(slowDelay: slowDelay)
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        var configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))
        configuration.serverName = "stub"
        let app = Application(
            router: stub.router(), configuration: configuration,
            onServerRunning: { channel in
                stub.portBox.withLock { $0 = channel.localAddress?.port }
                readyContinuation.yield()
            }
        )
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        for await _ in ready { break }
        return try await body(stub)
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        // Files a message can name by URL.
        router.get("files/image.png") { _, _ -> Response in
            self.state.withLock { $0.fileFetches += 1 }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.png)))
        }
        router.get("files/moved") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/files/image.png"])
        }
        // What a workflow's http-request node sent: method, query, the headers it set and its body.
        router.on("hooks/echo", method: .post) { request, _ -> Response in try await self.echo(request) }
        router.on("hooks/echo", method: .get) { request, _ -> Response in try await self.echo(request) }
        router.get("files/page.html") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html"], body: ResponseBody(byteBuffer: ByteBuffer(string: "<html></html>")))
        }
        // Embeddings: for each input, its length in characters, 0.5 and -1, in reverse order of `index` (as a server may).
        router.post("v1/embeddings") { request, _ -> Response in
            guard self.authorized(request) else { return Self.refusal() }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
            self.state.withLock { $0.requests.append(json) }
            let inputs = json["input"].array.compactMap(\.string)
            self.state.withLock { $0.embeddedTexts += inputs.count }
            if json["model"] == "stub-embed-500" { return Self.json(["error": ["message": "embedding backend down"]], status: .internalServerError) }
            if json["model"] == "stub-embed-slow" { try await Task.sleep(for: .milliseconds(300)) }
            if json["model"] == "stub-embed-words" || json["model"] == "stub-embed-slow" {
                let data: [JSONValue] = inputs.enumerated().map { index, text in
                    ["object": "embedding", "index": .number(Double(index)), "embedding": .array(Self.bagOfWords(text).map { .number(Double($0)) })]
                }
                return Self.json([
                    "object": "list", "data": .array(data),
                    "usage": ["prompt_tokens": .number(Double(inputs.count)), "total_tokens": .number(Double(inputs.count))],
                ])
            }
            guard json["model"] == "stub-embed" else { return Self.json(["error": ["message": "no such model"]], status: .notFound) }
            let data: [JSONValue] = inputs.enumerated().reversed().map { index, text in
                ["object": "embedding", "index": .number(Double(index)), "embedding": [.number(Double(text.count)), 0.5, -1]]
            }
            return Self.json([
                "object": "list", "data": .array(data),
                "usage": ["prompt_tokens": .number(Double(inputs.count * 3)), "total_tokens": .number(Double(inputs.count * 3))],
            ])
        }
        router.post("v1/rerank") { request, _ -> Response in
            guard self.authorized(request) else { return Self.refusal() }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
            self.state.withLock { $0.requests.append(json) }
            guard json["model"] == "stub-rerank" else { return Self.json(["error": ["message": "no such model"]], status: .notFound) }
            let query = Set(Self.words(json["query"].string ?? ""))
            let results: [JSONValue] = json["documents"].array.enumerated().map { index, document in
                let words = Set(Self.words(document.string ?? ""))
                let score = query.isEmpty ? 0 : Double(query.intersection(words).count) / Double(query.count)
                return ["index": .number(Double(index)), "relevance_score": .number(score)]
            }
            return Self.json(["results": .array(results)])
        }
        // Moderation: anything with the word "forbidden" is flagged.
        router.post("v1/moderations") { request, _ -> Response in
            guard self.authorized(request) else { return Self.refusal() }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
            self.state.withLock { $0.requests.append(json) }
            let flagged = (json["input"].string ?? "").lowercased().contains("forbidden")
            return Self.json(["id": "modr-1", "model": json["model"], "results": [["flagged": .bool(flagged), "categories": [:]]]])
        }
        // Speech to text: says how many bytes of which file under which model it heard.
        router.post("v1/audio/transcriptions") { request, _ -> Response in
            guard self.authorized(request) else { return Self.refusal() }
            let body = try await request.body.collect(upTo: 64 << 20)
            let text = String(decoding: body.readableBytesView, as: UTF8.self)
            // "\r\n" is one Character in Swift.
            let model = text.range(of: "name=\"model\"\r\n\r\n").map { text[$0.upperBound...].prefix { $0 != "\r\n" } } ?? ""
            let file = text.range(of: "filename=\"").map { text[$0.upperBound...].prefix { $0 != "\"" } } ?? ""
            self.state.withLock { $0.requests.append(["transcription": .string(String(file)), "model": .string(String(model))]) }
            return Self.json(["text": .string("heard \(file) with \(model)")])
        }
        // Text to speech: "ID3", then the input and the voice, in two pieces.
        router.post("v1/audio/speech") { request, _ -> Response in
            guard self.authorized(request) else { return Self.refusal() }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
            self.state.withLock { $0.requests.append(json) }
            let audio = "ID3 " + (json["input"].string ?? "") + " / " + (json["voice"].string ?? "")
            return Response(status: .ok, headers: [.contentType: "audio/mpeg"], body: ResponseBody(byteBuffer: ByteBuffer(string: audio)))
        }
        router.get("v1/models") { request, _ -> Response in
            guard self.authorized(request) || self.authorizedAnthropic(request) else { return Self.refusal() }
            return Self.json(["object": "list", "data": [["id": "stub-chat"], ["id": "stub-slow"], ["id": "stub-embed"]]])
        }
        // Anthropic's Messages API: the same echo, in its events.
        router.post("v1/messages") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
            self.state.withLock { $0.requests.append(json) }
            guard self.authorizedAnthropic(request), request.headers[HTTPField.Name("anthropic-version")!] == "2023-06-01" else {
                return Self.json(
                    ["type": "error", "error": ["type": "authentication_error", "message": "invalid x-api-key"]], status: .unauthorized)
            }
            let last = json["messages"].array.last?["content"].array.compactMap { $0["text"].string }.last ?? ""
            let words = ["Echo:"] + last.split(separator: " ").map { " " + $0 }
            var text = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
            for word in words {
                let escaped = String(decoding: try JSONEncoder().encode(word), as: UTF8.self)
                text +=
                    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\(escaped)}}\n\n"
            }
            text +=
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}\n\n"
            text += "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
            guard case .object(let fields) = json, case .string(let model)? = fields["model"] else {
                return Self.json(["error": ["message": "model is required"]], status: .badRequest)
            }
            self.state.withLock {
                $0.requests.append(json)
                $0.attempts[model, default: 0] += 1
            }
            guard self.authorized(request) else { return Self.refusal() }
            switch model {
            case "stub-500":
                return Self.json(["error": ["message": "upstream exploded"]], status: .internalServerError)
            case "stub-429":
                var response = Self.json(["error": ["message": "slow down"]], status: .tooManyRequests)
                response.headers[HTTPField.Name("retry-after")!] = "7"
                return response
            case "stub-chat":
                let last = Self.lastUserText(fields["messages"]).split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
                let words = ["Echo:"] + last.split(separator: " ").map { " " + $0 }
                return Self.stream(words.map { Self.chunk($0) } + [Self.usageChunk()])
            case "stub-verbatim":
                // The last user message back as it is, in one piece.
                return Self.stream([Self.chunk(Self.lastUserText(fields["messages"])), Self.usageChunk()])
            case "stub-agent":
                // With tools and no tool result yet: call the first tool with the query, its arguments in two pieces.
                // With a tool result: answer with it.
                let messages = fields["messages"]?.array ?? []
                if let result = messages.last(where: { $0["role"] == "tool" })?["content"].string {
                    return Self.stream([Self.chunk("Tool said: "), Self.chunk(result), Self.usageChunk()])
                }
                guard let tool = fields["tools"]?.array.first?["function"]["name"].string else {
                    return Self.stream([Self.chunk("No tools."), Self.usageChunk()])
                }
                let arguments = String(decoding: try JSONEncoder().encode(["text": Self.lastUserText(fields["messages"])]), as: UTF8.self)
                let half = arguments.index(arguments.startIndex, offsetBy: arguments.count / 2)
                return Self.stream([
                    Self.chunk("Let me check. "),
                    Self.toolCallChunk(id: "call_1", name: tool, arguments: String(arguments[..<half])),
                    Self.toolCallChunk(id: nil, name: nil, arguments: String(arguments[half...])),
                    Self.usageChunk(),
                ])
            case "stub-metadata":
                // Dify's automatic metadata filtering: the query's last word as the value of `author`.
                let input = (try? JSONDecoder().decode(JSONValue.self, from: Data(Self.lastUserText(fields["messages"]).utf8))) ?? .null
                let word = input["input_text"].string?.split(separator: " ").last.map(String.init) ?? ""
                let map = #"{"metadata_map": [{"metadata_field_name": "author", "metadata_field_value": "\#(word)", "comparison_operator": "is"}]}"#
                return Self.stream([Self.chunk("```json\n" + map + "\n```"), Self.usageChunk()])
            case "stub-midfail":
                return Self.stream([Self.chunk("Partial"), #"{"error":{"message":"the model crashed"}}"#])
            case "stub-slow":
                return Response(
                    status: .ok, headers: [.contentType: "text/event-stream"],
                    body: ResponseBody { writer in
                        self.state.withLock {
                            $0.openStreams += 1
                            $0.mostOpenStreams = max($0.mostOpenStreams, $0.openStreams)
                        }
                        defer { self.state.withLock { $0.openStreams -= 1 } }
                        do {
                            // A minute of pieces: long enough that a stop landing late on a loaded machine still finds it
                            // streaming, so its cancellation is seen as a failed write here.
                            for _ in 0..<1_500 {
                                try await writer.write(ByteBuffer(string: "data: \(Self.chunk("tick "))\n\n"))
                                try await Task.sleep(for: self.slowDelay)
                            }
                            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                            try await writer.finish(nil)
                            self.state.withLock { $0.finishedStreams += 1 }
                        } catch {
                            self.state.withLock { $0.cancelledStreams += 1 }
                            throw error
                        }
                    }
                )
            case "stub-quiet":
                return Response(
                    status: .ok, headers: [.contentType: "text/event-stream"],
                    body: ResponseBody { writer in
                        try await Task.sleep(for: .seconds(30))
                        try await writer.finish(nil)
                    }
                )
            default:
                return Self.json(["error": ["message": .string("The model `\(model)` does not exist")]], status: .notFound)
            }
        }
        return router
    }

    private func echo(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: JSONValue] = [:]
        for field in request.headers { headers[field.name.canonicalName] = .string(field.value) }
        return Self.json([
            "method": .string(request.method.rawValue), "query": .string(request.uri.query ?? ""), "headers": .object(headers),
            "body": .string(String(buffer: body)),
        ])
    }

    private func authorizedAnthropic(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("x-api-key")!] == state.withLock { $0.acceptedKey }
    }

    private func authorized(_ request: Request) -> Bool {
        request.headers[.authorization] == "Bearer \(state.withLock { $0.acceptedKey })"
    }

    static func lastUserText(_ messages: JSONValue?) -> String {
        guard case .array(let list)? = messages else { return "" }
        for message in list.reversed() {
            if case .object(let fields) = message, fields["role"] == "user" {
                switch fields["content"] {
                case .string(let text)?: return text
                case .array(let parts)?:
                    for part in parts { if case .object(let p) = part, case .string(let text)? = p["text"] { return text } }
                default: break
                }
            }
        }
        return ""
    }

    /// The first bytes of a PNG, and some more.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)

    static func chunk(_ text: String) -> String {
        let escaped = String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
        return #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\#(escaped)},"finish_reason":null}]}"#
    }

    static func toolCallChunk(id: String?, name: String?, arguments: String) -> String {
        var call: JSONValue = ["index": 0, "function": ["arguments": .string(arguments)]]
        if case .object(var fields) = call {
            if let id {
                fields["id"] = .string(id)
                fields["type"] = "function"
            }
            if let name, case .object(var function)? = fields["function"] {
                function["name"] = .string(name)
                fields["function"] = .object(function)
            }
            call = .object(fields)
        }
        let chunk: JSONValue = ["id": "c1", "object": "chat.completion.chunk", "choices": [["index": 0, "delta": ["tool_calls": [call]]]]]
        return String(decoding: try! JSONEncoder().encode(chunk), as: UTF8.self)
    }

    static func usageChunk() -> String {
        #"{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}"#
    }

    static func stream(_ payloads: [String]) -> Response {
        let text = payloads.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n"
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try! JSONEncoder().encode(value)))
        )
    }

    static func refusal() -> Response {
        json(["error": ["message": "Incorrect API key provided", "type": "invalid_request_error"]], status: .unauthorized)
    }
}
