public import Foundation

/// How an app or a workflow's knowledge-retrieval node narrows its datasets by metadata (Dify's
/// `metadata_filtering_mode`): not at all, by conditions written in the configuration (whose text values may name the
/// run's inputs as `{{name}}`), or by conditions a model reads from each query.
public enum MetadataFiltering: Sendable, Equatable {
    case disabled
    case manual(MetadataFilter)
    case automatic(provider: String, model: String, logicalOperator: MetadataFilter.LogicalOperator)

    /// Reads `metadata_filtering_mode`, `metadata_filtering_conditions` and `metadata_model_config` of `config`; a 400
    /// naming `field` (e.g. `dataset_configs`) for a wrong one.
    public static func parse(_ config: JSONValue, field: String) throws -> MetadataFiltering {
        switch config["metadata_filtering_mode"] {
        case .null, .string("disabled"): return .disabled
        case .string("manual"):
            let filter = try MetadataFilter.parse(config["metadata_filtering_conditions"], field: "\(field).metadata_filtering_conditions")
            return filter.map(MetadataFiltering.manual) ?? .disabled
        case .string("automatic"):
            let model = config["metadata_model_config"]
            guard let provider = model["provider"].string, !provider.isEmpty, let name = model["name"].string, !name.isEmpty else {
                throw RelayError.invalidParam(
                    "\(field).metadata_model_config", "Automatic metadata filtering needs metadata_model_config with provider and name")
            }
            let logical = config["metadata_filtering_conditions"]["logical_operator"].string.flatMap(MetadataFilter.LogicalOperator.init) ?? .or
            return .automatic(provider: provider, model: name, logicalOperator: logical)
        default:
            throw RelayError.invalidParam(
                "\(field).metadata_filtering_mode", "metadata_filtering_mode must be disabled, automatic or manual", type: "enum")
        }
    }

    /// A manual filter's text values with `{{name}}` replaced by the run's inputs (line breaks and tabs as spaces).
    static func filling(_ filter: MetadataFilter, from inputs: [String: JSONValue]) -> MetadataFilter {
        var filter = filter
        for index in filter.conditions.indices {
            guard case .string(let text) = filter.conditions[index].value, text.contains("{{") else { continue }
            var filled = text
            for match in text.matches(of: #/\{\{(\w+)\}\}/#) {
                let value: String
                switch inputs[String(match.output.1)] ?? .null {
                case .string(let string): value = string
                case .number(let number): value = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
                case .bool(let flag): value = String(flag)
                default: value = ""
                }
                filled = filled.replacingOccurrences(of: String(match.output.0), with: value)
            }
            filled = filled.replacing(#/[\r\n\t]+/#, with: " ").trimmingCharacters(in: .whitespaces)
            filter.conditions[index].value = .string(filled)
        }
        return filter
    }
}

/// Dify's automatic metadata filtering: a model is shown the query and the datasets' field names and answers with the
/// conditions the query implies (`{"metadata_map": [...]}`); anything it cannot answer well means no filter.
struct MetadataConditionWriter: Sendable {
    let models: ModelProviderService

    static let systemPrompt = """
        ### Job Description
        You are a text metadata extract engine that extract text's metadata based on user input and set the metadata value
        ### Task
        Your task is to ONLY extract the metadatas that exist in the input text from the provided metadata list and Use the following \
        operators ["contains", "not contains", "start with", "end with", "is", "is not", "empty", "not empty", "=", "≠", ">", "<", \
        "≥", "≤", "before", "after"] to express logical relationships, then return result in JSON format with the key \
        "metadata_fields" and value "metadata_field_value" and comparison operator "comparison_operator".
        ### Format
        The input text is in the variable input_text. Metadata are specified as a list in the variable metadata_fields.
        ### Constraint
        DO NOT include anything other than the JSON array in your response.
        Use string operators for metadata fields with type "string". Use numeric/date comparison operators for metadata fields with \
        type "number" or "time".
        """

    static let example = (
        user:
            #"{"input_text": "I want to know which company’s email address test@example.com is?", "metadata_fields": ["filename", "email", "phone", "address"]}"#,
        assistant: #"{"metadata_map": [{"metadata_field_name": "email", "metadata_field_value": "test@example.com", "comparison_operator": "="}]}"#
    )

    func conditions(
        for query: String, fields: [MetadataField], provider: String, model: String, logicalOperator: MetadataFilter.LogicalOperator,
        in workspace: WorkspaceID
    ) async throws -> MetadataFilter? {
        let names = Array(Set(fields.map(\.name))).sorted()
        guard !names.isEmpty else { return nil }
        let resolved = try await models.resolve(provider: provider, model: model, type: .llm, in: workspace)
        let input = JSONValue.object(["input_text": .string(query), "metadata_fields": .array(names.map(JSONValue.string))])
        let request = ChatCompletionRequest(
            model: model,
            messages: [
                PromptMessage(.system, Self.systemPrompt), PromptMessage(.user, Self.example.user), PromptMessage(.assistant, Self.example.assistant),
                PromptMessage(.user, String(decoding: try JSONEncoder().encode(input), as: UTF8.self)),
            ],
            parameters: ["temperature": .number(0)]
        )
        var text = ""
        do {
            for try await delta in resolved.provider.chat(request, credentials: resolved.credentials) {
                if case .text(let piece) = delta { text += piece }
            }
        } catch {
            // As in Dify: a model that fails to answer means no filter, not a failed retrieval.
            return nil
        }
        return Self.parse(text, known: Set(names), logicalOperator: logicalOperator)
    }

    /// The conditions of the model's answer (JSON, possibly fenced as Markdown) on known fields.
    static func parse(_ text: String, known: Set<String>, logicalOperator: MetadataFilter.LogicalOperator) -> MetadataFilter? {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let start = body.firstIndex(of: "{"), let end = body.lastIndex(of: "}"), start < end { body = String(body[start...end]) }
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) else { return nil }
        let conditions = json["metadata_map"].array.compactMap { item -> MetadataFilter.Condition? in
            guard let name = item["metadata_field_name"].string, known.contains(name),
                let comparison = item["comparison_operator"].string.flatMap(MetadataFilter.Comparison.parse)
            else { return nil }
            let value = item["metadata_field_value"]
            return MetadataFilter.Condition(name: name, comparison: comparison, value: value == .null ? .null : value)
        }
        return conditions.isEmpty ? nil : MetadataFilter(logicalOperator: logicalOperator, conditions: conditions)
    }
}
