public import Foundation

/// Moderation and speech through the workspace's providers: OpenAI's moderation model, and the workspace's default
/// speech-to-text and text-to-speech models, as Dify picks them.
extension ModelProviderService {
    /// The moderation model Dify's `openai_moderation` asks, of the workspace's `openai` provider.
    public static let moderationModel = "omni-moderation-latest"

    /// Whether the workspace's OpenAI moderation model flags `text`.
    public func moderate(_ text: String, in workspace: WorkspaceID) async throws -> Bool {
        let resolved = try await resolve(provider: "openai", model: Self.moderationModel, type: .moderation, in: workspace)
        return try await resolved.provider.moderate(text, model: Self.moderationModel, credentials: resolved.credentials)
    }

    /// The words spoken in `audio`, by the workspace's default speech-to-text model.
    public func transcribe(_ audio: Data, fileName: String, mimeType: String, in workspace: WorkspaceID) async throws -> String {
        guard let model = try await defaultModel(.speech2text, in: workspace) else {
            throw RelayError(
                .providerNotSupportSpeechToText,
                "This workspace has no default speech-to-text model: set one with POST /console/api/workspaces/current/default-model")
        }
        let resolved = try await resolve(provider: model.provider, model: model.model, type: .speech2text, in: workspace)
        return try await resolved.provider.transcribe(
            audio, fileName: fileName, mimeType: mimeType, model: model.model, credentials: resolved.credentials)
    }

    /// `text` spoken by `voice` (or the model's first voice), by the workspace's default text-to-speech model.
    public func speak(_ text: String, voice: String?, in workspace: WorkspaceID) async throws -> SpokenAudio {
        guard let model = try await defaultModel(.tts, in: workspace) else {
            throw RelayError(
                .providerNotSupportTextToSpeech,
                "This workspace has no default text-to-speech model: set one with POST /console/api/workspaces/current/default-model")
        }
        let resolved = try await resolve(provider: model.provider, model: model.model, type: .tts, in: workspace)
        let chosen = voice.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultVoice
        return try await resolved.provider.speak(text, voice: chosen, model: model.model, credentials: resolved.credentials)
    }

    /// OpenAI's first voice: what a model without a voice chosen speaks with.
    public static let defaultVoice = "alloy"
}
