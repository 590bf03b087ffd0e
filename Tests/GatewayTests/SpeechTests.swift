import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Speech: audio to text and text to audio through the workspace's default speech models, for apps that turn them on")
struct SpeechTests {
    /// A chat app with both speech features on, and the workspace's openai provider (at the stub) with default models.
    static func speakingApp(_ client: RelayClient, _ stub: StubUpstream, defaults: Bool = true) async throws -> ChatApp {
        let app = try await client.chatApp(
            stub, config: ["speech_to_text": ["enabled": true], "text_to_speech": ["enabled": true, "voice": "nova", "language": "en-US"]])
        let configured = try await client.post(
            "/console/api/workspaces/current/model-providers/openai/credentials", token: app.owner.token,
            json: ["credentials": ["openai_api_key": "sk-good", "openai_api_base": .string(stub.baseURL)]])
        try #require(configured.status == .ok, "\(configured.json)")
        if defaults {
            let set = try await client.post(
                "/console/api/workspaces/current/default-model", token: app.owner.token,
                json: [
                    "model_settings": [
                        ["model_type": "speech2text", "provider": "openai", "model": "whisper-1"],
                        ["model_type": "tts", "provider": "openai", "model": "tts-1"],
                    ]
                ])
            try #require(set.status == .ok, "\(set.json)")
        }
        return app
    }

    @Test("audio is transcribed by the default speech-to-text model; wrong files are refused by kind and size")
    func audioToText() async throws {
        try await StubUpstream.with { stub in
            // A smaller limit than Dify's 30 MB, so that passing it costs the suite little.
            try await withRelay(configure: {
                $0.forChatTests()
                $0.audioToTextBytes = 1 << 20
            }) { client in
                let app = try await Self.speakingApp(client, stub)
                let parameters = try await client.get("/v1/parameters", token: app.key).json
                #expect(parameters["speech_to_text"]["enabled"] == true && parameters["text_to_speech"]["voice"] == "nova", "\(parameters)")

                let heard = try await client.upload(Array("RIFF....WAVE".utf8), filename: "hello.wav", to: "/v1/audio-to-text", token: app.key)
                #expect(heard.status == .ok, "\(heard.json)")
                #expect(heard.json["text"] == "heard hello.wav with whisper-1")

                expectError(
                    try await client.upload(Array("text".utf8), filename: "notes.txt", to: "/v1/audio-to-text", token: app.key),
                    .unsupportedMediaType,
                    "unsupported_audio_type")
                expectError(
                    try await client.upload([], filename: "empty.mp3", to: "/v1/audio-to-text", token: app.key), .badRequest, "no_audio_uploaded")
                expectError(try await client.upload([], filename: nil, to: "/v1/audio-to-text", token: app.key), .badRequest, "no_audio_uploaded")
                expectError(
                    try await client.upload(Array("x".utf8), filename: "a.mp3", to: "/v1/audio-to-text", fields: [:], token: app.key), .badRequest,
                    "invalid_param", field: "user")
                let big = [UInt8](repeating: 7, count: (1 << 20) + 1)
                expectError(
                    try await client.upload(big, filename: "long.mp3", to: "/v1/audio-to-text", token: app.key), .contentTooLarge, "audio_too_large")
            }
        }
    }

    @Test("text, or an answer of the end user's, is read aloud by the default text-to-speech model in the app's voice")
    func textToAudio() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await Self.speakingApp(client, stub)
                let spoken = try await client.post("/v1/text-to-audio", token: app.key, json: ["text": "good morning", "user": "alice"])
                #expect(spoken.status == .ok)
                #expect(spoken.header("Content-Type") == "audio/mpeg")
                #expect(String(buffer: spoken.body) == "ID3 good morning / nova")
                let other = try await client.post("/v1/text-to-audio", token: app.key, json: ["text": "hi", "voice": "echo", "user": "alice"])
                #expect(String(buffer: other.body) == "ID3 hi / echo")

                let answer = try await client.chat(app, "read me")
                let message = try #require(answer.json["message_id"].string)
                let read = try await client.post("/v1/text-to-audio", token: app.key, json: ["message_id": .string(message), "user": "alice"])
                #expect(String(buffer: read.body) == "ID3 Echo: read me / nova")
                // Another end user's message is not theirs to hear.
                expectError(
                    try await client.post("/v1/text-to-audio", token: app.key, json: ["message_id": .string(message), "user": "mallory"]), .notFound,
                    "not_found")
                expectError(
                    try await client.post("/v1/text-to-audio", token: app.key, json: ["user": "alice"]), .badRequest, "invalid_param", field: "text")
                expectError(
                    try await client.post(
                        "/v1/text-to-audio", token: app.key, json: ["text": .string(String(repeating: "a", count: 4_097)), "user": "alice"]),
                    .badRequest, "invalid_param", field: "text")
            }
        }
    }

    @Test("speech is refused while the app's feature is off, and when the workspace has no default model for it")
    func refusals() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await Self.speakingApp(client, stub, defaults: false)
                expectError(
                    try await client.upload(Array("x".utf8), filename: "a.mp3", to: "/v1/audio-to-text", token: app.key), .badRequest,
                    "provider_not_support_speech_to_text")
                expectError(
                    try await client.post("/v1/text-to-audio", token: app.key, json: ["text": "hi", "user": "alice"]), .badRequest,
                    "provider_not_support_text_to_speech")

                let quiet = try await client.chatApp(stub, owner: app.owner, name: "Quiet")
                expectError(
                    try await client.upload(Array("x".utf8), filename: "a.mp3", to: "/v1/audio-to-text", token: quiet.key), .badRequest,
                    "invalid_param",
                    field: "speech_to_text")
                expectError(
                    try await client.post("/v1/text-to-audio", token: quiet.key, json: ["text": "hi", "user": "alice"]), .badRequest, "invalid_param",
                    field: "text_to_speech")
            }
        }
    }
}
