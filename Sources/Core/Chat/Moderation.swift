public import Foundation

/// An app's content moderation (Dify's `sensitive_word_avoidance`): queries and inputs checked before the model is
/// asked, answers checked as they come; what is flagged is answered with the preset response instead.
public struct Moderation: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Any of the keywords, in any case, anywhere in the text.
        case keywords
        /// The workspace's OpenAI moderation model.
        case openAIModeration = "openai_moderation"
    }

    /// One side (inputs or outputs): whether it is checked and what answers when it is flagged.
    public struct Side: Sendable, Equatable {
        public let enabled: Bool
        public let presetResponse: String
    }

    public let kind: Kind
    public let inputs: Side
    public let outputs: Side
    public let keywords: [String]

    /// Dify's limits: the preset responses, the keyword text and its lines.
    public static let maxPreset = 100
    public static let maxKeywordText = 10_000
    public static let maxKeywordLines = 100

    /// Reads the feature as an app's configuration gives it; `nil` when it is absent or off. Every problem is
    /// appended to `problems` with its field, as Dify words them.
    public static func parse(_ value: JSONValue?, problems: inout [(String, String)]) -> Moderation? {
        guard let value, value != .null else { return nil }
        let field = "sensitive_word_avoidance"
        guard case .object = value else {
            problems.append((field, "sensitive_word_avoidance must be of dict type"))
            return nil
        }
        guard value["enabled"].bool == true else { return nil }
        guard let type = value["type"].string, !type.isEmpty else {
            problems.append(("\(field).type", "sensitive_word_avoidance.type is required"))
            return nil
        }
        guard let kind = Kind(rawValue: type) else {
            problems.append(("\(field).type", "sensitive_word_avoidance.type must be keywords or openai_moderation"))
            return nil
        }
        let config = value["config"] == .null ? value["configs"] : value["config"]
        guard case .object = config else {
            problems.append(("\(field).config", "sensitive_word_avoidance.config must be a dict"))
            return nil
        }
        func side(_ name: String) -> Side? {
            let side = config[name]
            guard side != .null else { return Side(enabled: false, presetResponse: "") }
            guard case .object = side else {
                problems.append(("\(field).config.\(name)", "\(name) must be a dict"))
                return nil
            }
            guard side["enabled"].bool == true else { return Side(enabled: false, presetResponse: "") }
            guard let preset = side["preset_response"].string, !preset.isEmpty else {
                problems.append(("\(field).config.\(name).preset_response", "\(name).preset_response is required"))
                return nil
            }
            guard preset.count <= maxPreset else {
                problems.append(("\(field).config.\(name).preset_response", "\(name).preset_response must be less than \(maxPreset + 1) characters"))
                return nil
            }
            return Side(enabled: true, presetResponse: preset)
        }
        guard let inputs = side("inputs_config"), let outputs = side("outputs_config") else { return nil }
        guard inputs.enabled || outputs.enabled else {
            problems.append(("\(field).config", "At least one of inputs_config or outputs_config must be enabled"))
            return nil
        }
        var keywords: [String] = []
        if kind == .keywords {
            guard let text = config["keywords"].string, !text.isEmpty else {
                problems.append(("\(field).config.keywords", "keywords is required"))
                return nil
            }
            guard text.count <= maxKeywordText else {
                problems.append(("\(field).config.keywords", "keywords length must be less than \(maxKeywordText + 1)"))
                return nil
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count <= maxKeywordLines else {
                problems.append(("\(field).config.keywords", "the number of rows for the keywords must be at most \(maxKeywordLines)"))
                return nil
            }
            keywords = lines.filter { !$0.isEmpty }.map { $0.lowercased() }
        }
        return Moderation(kind: kind, inputs: inputs, outputs: outputs, keywords: keywords)
    }

    /// Whether any keyword is in `text`, in any case.
    public func containsKeyword(_ text: String) -> Bool {
        guard !keywords.isEmpty, !text.isEmpty else { return false }
        let lowered = text.lowercased()
        return keywords.contains { lowered.contains($0) }
    }

    /// What the input check looks at: the query and every input's text, as Dify joins them.
    static func inputText(query: String, inputs: [String: JSONValue]) -> String {
        ([query] + inputs.keys.sorted().map { ChatPrompt.text(of: inputs[$0]) }).joined(separator: "\n")
    }
}

/// What answers a query instead of the model: an annotation, or moderation's preset response.
public enum DirectAnswer: Sendable, Equatable {
    case annotation(AnnotationReply)
    case moderated(String)

    var text: String {
        switch self {
        case .annotation(let reply): reply.content
        case .moderated(let preset): preset
        }
    }
}
