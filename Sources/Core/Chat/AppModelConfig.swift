public import Foundation

/// The model configuration of a `chat`, `completion` or `agent-chat` app: which model answers, with what prompt,
/// what the input form asks, and how much of a conversation it remembers. Dify's `model_config` shape on the wire.
public struct AppModelConfig: Sendable, Equatable, Codable {
    public struct Model: Sendable, Equatable, Codable {
        public var provider: String
        public var name: String
        public var mode: String?
        public var completionParams: [String: JSONValue]?

        public init(provider: String, name: String, mode: String? = "chat", completionParams: [String: JSONValue]? = nil) {
            self.provider = provider
            self.name = name
            self.mode = mode
            self.completionParams = completionParams
        }

        enum CodingKeys: String, CodingKey {
            case provider, name, mode, completionParams = "completion_params"
        }
    }

    public struct Toggle: Sendable, Equatable, Codable {
        public var enabled: Bool

        public init(enabled: Bool) { self.enabled = enabled }
    }

    /// How many earlier exchanges of a conversation are sent with each query.
    public struct Memory: Sendable, Equatable, Codable {
        public struct Window: Sendable, Equatable, Codable {
            public var enabled: Bool
            public var size: Int?
        }

        public var window: Window
    }

    public struct AgentMode: Sendable, Equatable, Codable {
        public var enabled: Bool?
        public var maxIteration: Int?
        public var strategy: String?
        public var tools: [JSONValue]?

        enum CodingKeys: String, CodingKey {
            case enabled, maxIteration = "max_iteration", strategy, tools
        }

        /// The enabled tools, as Dify writes them: `{provider_id, provider_type, tool_name, tool_parameters, enabled}`.
        public var toolReferences: [AgentToolReference] {
            (tools ?? []).compactMap { tool in
                guard tool["enabled"].bool != false, let name = tool["tool_name"].string,
                    let provider = tool["provider_id"].string ?? tool["provider_name"].string
                else { return nil }
                return AgentToolReference(providerID: provider, toolName: name, fixedParameters: tool["tool_parameters"].object ?? [:])
            }
        }
    }

    /// The tools an agent-chat app calls; none unless agent mode is on.
    public var agentTools: [AgentToolReference] {
        guard let agentMode, agentMode.enabled != false else { return [] }
        return agentMode.toolReferences
    }

    /// Rounds of tool calls an agent may take before it must answer (Dify's default 5).
    public var agentIterations: Int { agentMode?.maxIteration ?? 5 }

    public var model: Model
    public var prePrompt: String?
    public var userInputForm: [UserInputField]?
    public var openingStatement: String?
    public var suggestedQuestions: [String]?
    public var suggestedQuestionsAfterAnswer: Toggle?
    public var memory: Memory?
    public var agentMode: AgentMode?
    /// Shown by `/parameters` as given (`image: {enabled, number_limits, detail, transfer_methods}`).
    public var fileUpload: JSONValue?
    /// The datasets each query is answered from (Dify's `dataset_configs`:
    /// `{retrieval_model, top_k, score_threshold, datasets: {datasets: [{dataset: {enabled, id}}]}}`).
    public var datasetConfigs: JSONValue?
    /// Whether end users may speak their queries (`POST /audio-to-text`).
    public var speechToText: Toggle?
    /// Whether answers may be read aloud (`POST /text-to-audio`): `{enabled, voice, language, autoPlay}`, as given.
    public var textToSpeech: JSONValue?
    /// Dify's `sensitive_word_avoidance`, as given (checked by ``Moderation/parse(_:problems:)``).
    public var sensitiveWordAvoidance: JSONValue?

    /// The app's moderation, when it is on and well formed.
    public var moderation: Moderation? {
        var ignored: [(String, String)] = []
        return Moderation.parse(sensitiveWordAvoidance, problems: &ignored)
    }

    /// The enabled datasets of `dataset_configs`, with how many segments to give the model and the lowest score, and
    /// whether the model picks one of them (`retrieval_model: single`) rather than all being searched (`multiple`).
    public var knowledge: (datasets: [DatasetID], topK: Int, scoreThreshold: Double?, single: Bool, filtering: MetadataFiltering)? {
        guard let configs = datasetConfigs else { return nil }
        let ids = configs["datasets"]["datasets"].array.compactMap { item -> DatasetID? in
            guard item["dataset"]["enabled"].bool != false else { return nil }
            return item["dataset"]["id"].string.flatMap(DatasetID.init)
        }
        guard !ids.isEmpty else { return nil }
        let topK = Int(configs["top_k"].number ?? 4)
        let threshold = configs["score_threshold_enabled"].bool == false ? nil : configs["score_threshold"].number
        let filtering = (try? MetadataFiltering.parse(configs, field: "dataset_configs")) ?? .disabled
        return (ids, max(1, min(topK, RetrievalSettings.maxTopK)), threshold, configs["retrieval_model"].string == "single", filtering)
    }

    public init(model: Model, prePrompt: String? = nil, userInputForm: [UserInputField]? = nil) {
        self.model = model
        self.prePrompt = prePrompt
        self.userInputForm = userInputForm
    }

    enum CodingKeys: String, CodingKey {
        case model, prePrompt = "pre_prompt", userInputForm = "user_input_form", openingStatement = "opening_statement"
        case suggestedQuestions = "suggested_questions", suggestedQuestionsAfterAnswer = "suggested_questions_after_answer"
        case memory, agentMode = "agent_mode", fileUpload = "file_upload", datasetConfigs = "dataset_configs"
        case sensitiveWordAvoidance = "sensitive_word_avoidance"
        case speechToText = "speech_to_text", textToSpeech = "text_to_speech"
    }

    /// Exchanges of history sent with a query when the app says nothing: Dify's default window.
    public static let defaultMemoryWindow = 10
    public static let maxMemoryWindow = 100

    /// Earlier exchanges to send with each query (0: none).
    public var memoryWindow: Int {
        guard let memory else { return Self.defaultMemoryWindow }
        return memory.window.enabled ? min(memory.window.size ?? Self.defaultMemoryWindow, Self.maxMemoryWindow) : 0
    }

    public var inputForm: [UserInputField] { userInputForm ?? [] }

    /// Every problem of this configuration, as (field path, message), checked against the providers on offer.
    public func problems(providers: [any ModelProvider]) -> [(String, String)] {
        var problems: [(String, String)] = []
        if let provider = providers.first(where: { $0.descriptor.id == model.provider }) {
            if model.name.isEmpty {
                problems.append(("model.name", "model.name is required"))
            } else if !provider.descriptor.acceptsAnyModel,
                !provider.descriptor.predefinedModels.contains(where: { $0.name == model.name && $0.type == .llm })
            {
                problems.append(("model.name", "\(model.provider) has no chat model '\(model.name)'"))
            }
        } else {
            let offered = providers.map(\.descriptor.id).joined(separator: ", ")
            problems.append(("model.provider", "model.provider must be one of \(offered)"))
        }
        if (prePrompt ?? "").count > 100_000 { problems.append(("pre_prompt", "pre_prompt must be at most 100000 characters")) }
        var variables: Set<String> = []
        for (index, field) in inputForm.enumerated() {
            problems += field.problems(at: index)
            if !variables.insert(field.variable).inserted {
                problems.append(("user_input_form[\(index)].variable", "variable '\(field.variable)' is defined twice"))
            }
        }
        if let size = memory?.window.size, !(1...Self.maxMemoryWindow).contains(size) {
            problems.append(("memory.window.size", "memory.window.size must be between 1 and \(Self.maxMemoryWindow)"))
        }
        for (index, tool) in (agentMode?.tools ?? []).enumerated()
        where tool["tool_name"].string == nil || (tool["provider_id"].string ?? tool["provider_name"].string) == nil {
            problems.append(("agent_mode.tools[\(index)]", "a tool needs provider_id and tool_name"))
        }
        for (index, item) in (datasetConfigs?["datasets"]["datasets"].array ?? []).enumerated()
        where item["dataset"]["id"].string.flatMap(DatasetID.init) == nil {
            problems.append(("dataset_configs.datasets.datasets[\(index)].dataset.id", "each dataset needs the id of a dataset of this workspace"))
        }
        if let configs = datasetConfigs {
            do {
                _ = try MetadataFiltering.parse(configs, field: "dataset_configs")
            } catch {
                let refusal = error as? RelayError
                problems.append((refusal?.details?["field"].string ?? "dataset_configs", refusal?.message ?? "\(error)"))
            }
        }
        if let topK = datasetConfigs?["top_k"].number, !(1...Double(RetrievalSettings.maxTopK)).contains(topK) {
            problems.append(("dataset_configs.top_k", "dataset_configs.top_k must be between 1 and \(RetrievalSettings.maxTopK)"))
        }
        _ = Moderation.parse(sensitiveWordAvoidance, problems: &problems)
        if let speech = textToSpeech, speech != .null {
            if case .object = speech {} else { problems.append(("text_to_speech", "text_to_speech must be an object")) }
            if speech["voice"] != .null, (speech["voice"].string?.count ?? 1_000) > 255 {
                problems.append(("text_to_speech.voice", "text_to_speech.voice must be a string of at most 255 characters"))
            }
        }
        if let iterations = agentMode?.maxIteration, !(1...99).contains(iterations) {
            problems.append(("agent_mode.max_iteration", "agent_mode.max_iteration must be between 1 and 99"))
        }
        return problems
    }

    /// The stored form.
    public func encoded() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> AppModelConfig {
        try JSONDecoder().decode(AppModelConfig.self, from: Data(text.utf8))
    }
}
