import Foundation

/// How a document is cleaned and split (Dify's `process_rule`).
public struct ProcessRule: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable {
        case automatic, custom
    }

    public struct Cleaning: Sendable, Equatable, Codable {
        public var id: String
        public var enabled: Bool

        public init(id: String, enabled: Bool) {
            self.id = id
            self.enabled = enabled
        }
    }

    public struct Segmentation: Sendable, Equatable, Codable {
        public var separator: String
        public var maxTokens: Int
        public var chunkOverlap: Int

        enum CodingKeys: String, CodingKey {
            case separator
            case maxTokens = "max_tokens"
            case chunkOverlap = "chunk_overlap"
        }

        public init(separator: String, maxTokens: Int, chunkOverlap: Int) {
            self.separator = separator
            self.maxTokens = maxTokens
            self.chunkOverlap = chunkOverlap
        }
    }

    public struct Rules: Sendable, Equatable, Codable {
        public var cleaning: [Cleaning]
        public var segmentation: Segmentation

        enum CodingKeys: String, CodingKey {
            case cleaning = "pre_processing_rules"
            case segmentation
        }

        public init(cleaning: [Cleaning], segmentation: Segmentation) {
            self.cleaning = cleaning
            self.segmentation = segmentation
        }
    }

    public static let cleaningRuleIDs = ["remove_extra_spaces", "remove_urls_emails"]
    public static let maxTokensLimit = 4000

    public var mode: Mode
    public var rules: Rules

    /// Dify's automatic rules: extra spaces removed, URLs and e-mails kept, paragraphs first, 500 tokens, 50 overlap.
    public static let automatic = ProcessRule(
        mode: .automatic,
        rules: Rules(
            cleaning: [Cleaning(id: "remove_extra_spaces", enabled: true), Cleaning(id: "remove_urls_emails", enabled: false)],
            segmentation: Segmentation(separator: "\n\n", maxTokens: 500, chunkOverlap: 50)
        )
    )

    public init(mode: Mode, rules: Rules) {
        self.mode = mode
        self.rules = rules
    }

    public func isEnabled(_ cleaning: String) -> Bool {
        rules.cleaning.contains { $0.id == cleaning && $0.enabled }
    }

    /// A rule from a request's `process_rule`: automatic unless it says `custom`, custom fields checked, each problem
    /// a 400 naming its field.
    public static func from(_ value: JSONValue) throws -> ProcessRule {
        guard value != .null else { return .automatic }
        guard let object = value.object else { throw RelayError.invalidParam("process_rule", "process_rule must be an object") }
        let mode = object["mode"]?.string ?? "automatic"
        switch mode {
        case "automatic", "hierarchical": return .automatic
        case "custom": break
        default: throw RelayError.invalidParam("process_rule.mode", "process_rule.mode must be automatic or custom", type: "enum")
        }
        let rules = object["rules"]?.object ?? [:]
        var cleaning: [Cleaning] = []
        for item in rules["pre_processing_rules"]?.array ?? [] {
            guard let id = item["id"].string, Self.cleaningRuleIDs.contains(id) else {
                throw RelayError.invalidParam(
                    "process_rule.rules.pre_processing_rules", "pre-processing rules are \(Self.cleaningRuleIDs.joined(separator: ", "))",
                    type: "enum"
                )
            }
            cleaning.append(Cleaning(id: id, enabled: item["enabled"].bool ?? false))
        }
        let segmentation = rules["segmentation"]?.object ?? [:]
        var separator = segmentation["separator"]?.string ?? "\n\n"
        // Dify's clients send the separator escaped, as typed in its form.
        separator = separator.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t")
        guard !separator.isEmpty else {
            throw RelayError.invalidParam("process_rule.rules.segmentation.separator", "The separator must not be empty")
        }
        let maxTokens = try integer(segmentation["max_tokens"], default: 500, field: "max_tokens")
        guard (50...maxTokensLimit).contains(maxTokens) else {
            throw RelayError.invalidParam(
                "process_rule.rules.segmentation.max_tokens", "max_tokens must be between 50 and \(maxTokensLimit)", type: "range"
            )
        }
        // Dify's default overlap is 50; a small budget gets a tenth of itself.
        let overlap = try integer(segmentation["chunk_overlap"], default: min(50, maxTokens / 10), field: "chunk_overlap")
        guard overlap >= 0, overlap < maxTokens else {
            throw RelayError.invalidParam(
                "process_rule.rules.segmentation.chunk_overlap", "chunk_overlap must be 0 or more and less than max_tokens", type: "range"
            )
        }
        return ProcessRule(
            mode: .custom,
            rules: Rules(cleaning: cleaning, segmentation: Segmentation(separator: separator, maxTokens: maxTokens, chunkOverlap: overlap))
        )
    }

    private static func integer(_ value: JSONValue?, default fallback: Int, field: String) throws -> Int {
        guard let value, value != .null else { return fallback }
        guard let number = value.number, number == number.rounded(), abs(number) < 1e9 else {
            throw RelayError.invalidParam("process_rule.rules.segmentation.\(field)", "\(field) must be a whole number")
        }
        return Int(number)
    }
}
