import Core
import Foundation
import Hummingbird
import NIOCore
import Tenancy

/// `POST /audio-to-text` and `POST /text-to-audio`: speech through the workspace's default speech-to-text and
/// text-to-speech models, for apps whose `speech_to_text` / `text_to_speech` features are on.
struct AudioController {
    let chat: ChatService
    let workflows: WorkflowService

    struct SpeakRequest: Decodable {
        let messageID: String?
        let text: String?
        let voice: String?
        let user: String?
        let streaming: Bool?

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case text, voice, user, streaming
        }
    }

    /// Largest audio transcribed (Dify's 30 MB unless the operator says otherwise).
    let maxAudioBytes: Int
    /// Longest text read aloud in one call (OpenAI's limit is 4,096 characters).
    static let maxSpokenText = 4_096
    /// The audio kinds Dify takes, by extension, with the media type sent on.
    static let audioTypes: [String: String] = [
        "mp3": "audio/mpeg", "mp4": "audio/mp4", "mpeg": "audio/mpeg", "mpga": "audio/mpeg", "m4a": "audio/mp4", "wav": "audio/wav",
        "webm": "audio/webm", "amr": "audio/amr",
    ]

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.post("audio-to-text") { request, context in
            let grant = context.grant
            try grant.require(grant.app.mode.permission)
            let (fields, file) = try await MultipartUpload.read(request, fileField: "file") { filename in
                guard let type = Self.audioTypes[(filename as NSString).pathExtension.lowercased()] else {
                    throw RelayError(
                        .unsupportedAudioType, "Audio type not allowed: send one of \(Self.audioTypes.keys.sorted().joined(separator: ", "))")
                }
                return AudioFile(name: filename, mimeType: type, limit: maxAudioBytes)
            }
            // Named as Dify's SDKs name them, though a transcription keeps nothing of the end user's.
            _ = try EndUserScope(grant, user: fields["user"])
            guard let file, !file.data.isEmpty else { throw RelayError(.noAudioUploaded, "Please upload your audio in the field 'file'.") }
            guard try await features(of: grant.app)["speech_to_text"]["enabled"].bool == true else {
                throw RelayError.invalidParam("speech_to_text", "Speech to text is not enabled for this app")
            }
            let text = try await chat.providers.transcribe(file.data, fileName: file.name, mimeType: file.mimeType, in: grant.workspaceID)
            return JSONBody(["text": .string(text)])
        }
        group.post("text-to-audio") { request, context in
            let grant = context.grant
            try grant.require(grant.app.mode.permission)
            var request = request
            let body = try await request.decodeJSON(as: SpeakRequest.self)
            let scope = try EndUserScope(grant, user: body.user)
            let feature = try await features(of: grant.app)["text_to_speech"]
            guard feature["enabled"].bool == true else {
                throw RelayError.invalidParam("text_to_speech", "Text to speech is not enabled for this app")
            }
            let text: String
            if let id = body.messageID, !id.isEmpty {
                let message = try await chat.message(try Identifier.parse(id, field: "message_id"), of: scope)
                guard !message.answer.isEmpty else { throw RelayError.invalidParam("message_id", "The message has no answer to read aloud") }
                text = message.answer
            } else {
                guard let given = body.text?.trimmingCharacters(in: .whitespacesAndNewlines), !given.isEmpty else {
                    throw RelayError.required("text")
                }
                text = given
            }
            guard text.count <= Self.maxSpokenText else {
                throw RelayError.invalidParam(
                    body.messageID == nil ? "text" : "message_id", "At most \(Self.maxSpokenText) characters are read aloud at once")
            }
            let voice = body.voice.flatMap { $0.isEmpty ? nil : $0 } ?? feature["voice"].string
            let audio = try await chat.providers.speak(text, voice: voice, in: grant.workspaceID)
            return Response(
                status: .ok, headers: [.contentType: audio.mimeType, .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    for try await chunk in audio.chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                }
            )
        }
    }

    /// The app's features: its model configuration's, or its published workflow's.
    private func features(of app: App) async throws -> JSONValue {
        switch app.mode {
        case .workflow, .advancedChat:
            return try await workflows.versions(of: app, page: 1, limit: 1).items.first?.content.features ?? [:]
        case .chat, .agentChat, .completion:
            guard let config = try await chat.modelConfig(of: app) else { return [:] }
            return [
                "speech_to_text": ["enabled": .bool(config.speechToText?.enabled ?? false)],
                "text_to_speech": config.textToSpeech ?? ["enabled": false],
            ]
        }
    }
}

/// Audio to transcribe, kept in memory (at most `limit` bytes: 413 `audio_too_large` past it).
final class AudioFile: MultipartFileSink {
    let name: String
    let mimeType: String
    let limit: Int
    private(set) var data = Data()

    init(name: String, mimeType: String, limit: Int) {
        self.name = name
        self.mimeType = mimeType
        self.limit = limit
    }

    func write(_ buffer: ByteBuffer) throws {
        guard data.count + buffer.readableBytes <= limit else {
            throw RelayError(.audioTooLarge, "Audio size larger than \(limit >> 20) MB")
        }
        data.append(contentsOf: buffer.readableBytesView)
    }

    func abandon() { data = Data() }
}
