public import Foundation

/// The kinds of model a provider serves, by Dify's names.
public enum ModelType: String, Sendable, Codable, CaseIterable {
    case llm
    case textEmbedding = "text-embedding"
    case rerank
    case speech2text
    case tts
    case moderation
}

/// A model a provider offers, with what the console shows of it and what it costs.
public struct ModelDescriptor: Sendable, Equatable {
    public let name: String
    public let type: ModelType
    /// Dify's feature names: `vision`, `tool-call`, `stream-tool-call`, `agent-thought`.
    public let features: [String]
    public let contextSize: Int
    public let price: ModelPrice

    public init(name: String, type: ModelType, features: [String] = [], contextSize: Int = 8_192, price: ModelPrice = .free) {
        self.name = name
        self.type = type
        self.features = features
        self.contextSize = contextSize
        self.price = price
    }
}

/// A field of a provider's credential form.
public struct CredentialField: Sendable, Equatable {
    public let name: String
    public let label: String
    public let isRequired: Bool
    /// Stored encrypted like every credential, and shown masked.
    public let isSecret: Bool

    public init(name: String, label: String, isRequired: Bool, isSecret: Bool) {
        self.name = name
        self.label = label
        self.isRequired = isRequired
        self.isSecret = isSecret
    }
}

/// What the console shows of a provider before anything is configured.
public struct ProviderDescriptor: Sendable {
    public let id: String
    public let label: String
    public let credentialFields: [CredentialField]
    /// The provider's own models; a provider that serves whatever its server has lists the models it found there.
    public let predefinedModels: [ModelDescriptor]
    /// Whether any model name is accepted (an OpenAI-compatible server), rather than only the predefined ones.
    public let acceptsAnyModel: Bool

    public init(
        id: String, label: String, credentialFields: [CredentialField], predefinedModels: [ModelDescriptor], acceptsAnyModel: Bool
    ) {
        self.id = id
        self.label = label
        self.credentialFields = credentialFields
        self.predefinedModels = predefinedModels
        self.acceptsAnyModel = acceptsAnyModel
    }
}

/// A source of models: a built-in HTTP client of an upstream API, or a model-type plugin.
///
/// Credentials are the workspace's, as entered in the console (already decrypted).
public protocol ModelProvider: Sendable {
    var descriptor: ProviderDescriptor { get }
    /// Checks the credentials against the upstream; returns the models it reports (empty when it does not say).
    /// Throws `invalid_param` naming `credentials` when they are refused.
    func validate(_ credentials: [String: String]) async throws -> [String]
    /// Streams a chat completion. Errors are `RelayError`s with Dify's codes; cancelling the consuming task cancels the
    /// upstream request.
    func chat(_ request: ChatCompletionRequest, credentials: [String: String]) -> AsyncThrowingStream<ChatCompletionDelta, any Error>
    /// Embeds `texts` with an embedding model, one vector per text, in order.
    func embed(_ texts: [String], model: String, credentials: [String: String]) async throws -> Embeddings
    /// Scores each of `documents` for relevance to `query` (0–1), in the documents' order.
    func rerank(_ query: String, documents: [String], model: String, credentials: [String: String]) async throws -> [Double]
    /// Whether a moderation model flags `text`.
    func moderate(_ text: String, model: String, credentials: [String: String]) async throws -> Bool
    /// The text spoken in `audio` (a file of `fileName`, of `mimeType`), from a speech-to-text model.
    func transcribe(_ audio: Data, fileName: String, mimeType: String, model: String, credentials: [String: String]) async throws -> String
    /// `text` spoken by `voice` of a text-to-speech model: the audio's media type, and its bytes as they come.
    func speak(_ text: String, voice: String, model: String, credentials: [String: String]) async throws -> SpokenAudio
}

/// Audio a text-to-speech model is sending: its media type and its bytes as they arrive.
public struct SpokenAudio: Sendable {
    public let mimeType: String
    public let chunks: AsyncThrowingStream<[UInt8], any Error>

    public init(mimeType: String, chunks: AsyncThrowingStream<[UInt8], any Error>) {
        self.mimeType = mimeType
        self.chunks = chunks
    }
}

extension ModelProvider {
    public func embed(_ texts: [String], model: String, credentials: [String: String]) async throws -> Embeddings {
        throw RelayError(.modelCurrentlyNotSupport, "\(descriptor.id) serves no embedding models")
    }

    public func rerank(_ query: String, documents: [String], model: String, credentials: [String: String]) async throws -> [Double] {
        throw RelayError(.modelCurrentlyNotSupport, "\(descriptor.id) serves no rerank models")
    }

    public func moderate(_ text: String, model: String, credentials: [String: String]) async throws -> Bool {
        throw RelayError(.modelCurrentlyNotSupport, "\(descriptor.id) serves no moderation models")
    }

    public func transcribe(
        _ audio: Data, fileName: String, mimeType: String, model: String, credentials: [String: String]
    ) async throws
        -> String
    {
        throw RelayError(.providerNotSupportSpeechToText, "\(descriptor.id) serves no speech-to-text models")
    }

    public func speak(_ text: String, voice: String, model: String, credentials: [String: String]) async throws -> SpokenAudio {
        throw RelayError(.providerNotSupportTextToSpeech, "\(descriptor.id) serves no text-to-speech models")
    }
}

/// Vectors of an embedding call, with the tokens it used.
public struct Embeddings: Sendable, Equatable {
    public let vectors: [[Float]]
    public let tokens: Int

    public init(vectors: [[Float]], tokens: Int) {
        self.vectors = vectors
        self.tokens = tokens
    }
}
