import Foundation

/// How a document is cleaned and split (Dify's `process_rule`).
public struct ProcessRule: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable {
        case automatic, custom
        /// Parent-child chunks (Dify's `hierarchical_model` documents): parents as `segmentation` or the whole
        /// document, each cut into children by `subchunkSegmentation`.
        case hierarchical
    }

    /// What a hierarchical rule's parents are.
    public enum ParentMode: String, Sendable, Codable, CaseIterable {
        case paragraph
        case fullDoc = "full-doc"
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
        /// Hierarchical rules only.
        public var parentMode: ParentMode?
        public var subchunkSegmentation: Segmentation?

        enum CodingKeys: String, CodingKey {
            case cleaning = "pre_processing_rules"
            case segmentation
            case parentMode = "parent_mode"
            case subchunkSegmentation = "subchunk_segmentation"
        }

        public init(cleaning: [Cleaning], segmentation: Segmentation, parentMode: ParentMode? = nil, subchunkSegmentation: Segmentation? = nil) {
            self.cleaning = cleaning
            self.segmentation = segmentation
            self.parentMode = parentMode
            self.subchunkSegmentation = subchunkSegmentation
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

    /// Dify's defaults for parent-child chunks: paragraphs of up to 1024 tokens as parents, lines of up to 512 as
    /// children.
    public static let hierarchical = ProcessRule(
        mode: .hierarchical,
        rules: Rules(
            cleaning: [Cleaning(id: "remove_extra_spaces", enabled: true), Cleaning(id: "remove_urls_emails", enabled: false)],
            segmentation: Segmentation(separator: "\n\n", maxTokens: 1024, chunkOverlap: 0), parentMode: .paragraph,
            subchunkSegmentation: Segmentation(separator: "\n", maxTokens: 512, chunkOverlap: 0)
        )
    )

    /// Longest whole document a `full-doc` parent holds (Dify's limit); the rest is not indexed.
    public static let fullDocumentTokens = 10_000

    public init(mode: Mode, rules: Rules) {
        self.mode = mode
        self.rules = rules
    }

    public func isEnabled(_ cleaning: String) -> Bool {
        rules.cleaning.contains { $0.id == cleaning && $0.enabled }
    }

    /// A rule from a request's `process_rule`: automatic unless it says `custom` or `hierarchical`, fields checked,
    /// each problem a 400 naming its field.
    public static func from(_ value: JSONValue) throws -> ProcessRule {
        guard value != .null else { return .automatic }
        guard let object = value.object else { throw RelayError.invalidParam("process_rule", "process_rule must be an object") }
        let mode: Mode
        switch object["mode"]?.string ?? "automatic" {
        case "automatic": return .automatic
        case "custom": mode = .custom
        case "hierarchical": mode = .hierarchical
        default: throw RelayError.invalidParam("process_rule.mode", "process_rule.mode must be automatic, custom or hierarchical", type: "enum")
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
        if mode == .hierarchical && rules["pre_processing_rules"] == nil { cleaning = hierarchical.rules.cleaning }
        let defaults = mode == .hierarchical ? hierarchical.rules.segmentation : automatic.rules.segmentation
        let segmentation = try Self.segmentation(rules["segmentation"], defaults: defaults, field: "process_rule.rules.segmentation")
        guard mode == .hierarchical else { return ProcessRule(mode: .custom, rules: Rules(cleaning: cleaning, segmentation: segmentation)) }
        let parentMode: ParentMode
        switch rules["parent_mode"] ?? .null {
        case .null: parentMode = .paragraph
        case .string(let text):
            guard let known = ParentMode(rawValue: text) else { fallthrough }
            parentMode = known
        default: throw RelayError.invalidParam("process_rule.rules.parent_mode", "parent_mode must be paragraph or full-doc", type: "enum")
        }
        let children = try Self.segmentation(
            rules["subchunk_segmentation"], defaults: hierarchical.rules.subchunkSegmentation!, field: "process_rule.rules.subchunk_segmentation")
        if parentMode == .paragraph, children.maxTokens > segmentation.maxTokens {
            throw RelayError.invalidParam(
                "process_rule.rules.subchunk_segmentation.max_tokens", "A child chunk's max_tokens cannot pass its parent's", type: "range")
        }
        return ProcessRule(
            mode: .hierarchical,
            rules: Rules(cleaning: cleaning, segmentation: segmentation, parentMode: parentMode, subchunkSegmentation: children)
        )
    }

    private static func segmentation(_ value: JSONValue?, defaults: Segmentation, field: String) throws -> Segmentation {
        let segmentation: [String: JSONValue]
        switch value ?? .null {
        case .null: segmentation = [:]
        case .object(let object): segmentation = object
        default: throw RelayError.invalidParam(field, "\(field) must be an object")
        }
        var separator = segmentation["separator"]?.string ?? defaults.separator
        // Dify's clients send the separator escaped, as typed in its form.
        separator = separator.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t")
        guard !separator.isEmpty else { throw RelayError.invalidParam("\(field).separator", "The separator must not be empty") }
        let maxTokens = try integer(segmentation["max_tokens"], default: defaults.maxTokens, field: "\(field).max_tokens")
        guard (50...maxTokensLimit).contains(maxTokens) else {
            throw RelayError.invalidParam("\(field).max_tokens", "max_tokens must be between 50 and \(maxTokensLimit)", type: "range")
        }
        // Dify's default overlap is 50; a small budget gets a tenth of itself.
        let overlap = try integer(
            segmentation["chunk_overlap"], default: min(defaults.chunkOverlap, maxTokens / 10), field: "\(field).chunk_overlap")
        guard overlap >= 0, overlap < maxTokens else {
            throw RelayError.invalidParam("\(field).chunk_overlap", "chunk_overlap must be 0 or more and less than max_tokens", type: "range")
        }
        return Segmentation(separator: separator, maxTokens: maxTokens, chunkOverlap: overlap)
    }

    private static func integer(_ value: JSONValue?, default fallback: Int, field: String) throws -> Int {
        guard let value, value != .null else { return fallback }
        guard let number = value.number, number == number.rounded(), abs(number) < 1e9 else {
            throw RelayError.invalidParam(field, "\(field.split(separator: ".").last ?? "") must be a whole number")
        }
        return Int(number)
    }
}
