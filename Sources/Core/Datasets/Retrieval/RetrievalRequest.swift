/// A `retrieval_model` as a request or a dataset's settings send it, read over a dataset's defaults and checked.
enum RetrievalRequest {
    static func check(_ value: JSONValue, for dataset: Dataset) throws -> RetrievalSettings {
        var settings = dataset.retrieval
        guard value != .null else { return settings }
        guard let object = value.object else { throw RelayError.invalidParam("retrieval_model", "retrieval_model must be an object") }
        if let method = object["search_method"], method != .null {
            guard let name = method.string, let parsed = RetrievalSettings.Method(rawValue: name) else {
                throw RelayError.invalidParam(
                    "retrieval_model.search_method", "search_method must be one of semantic_search, full_text_search, hybrid_search, keyword_search",
                    type: "enum"
                )
            }
            settings.method = parsed
        }
        if let topK = object["top_k"], topK != .null {
            guard let number = topK.number, number == number.rounded(), (1...Double(RetrievalSettings.maxTopK)).contains(number) else {
                throw RelayError.invalidParam(
                    "retrieval_model.top_k", "top_k must be a whole number from 1 to \(RetrievalSettings.maxTopK)", type: "range")
            }
            settings.topK = Int(number)
        }
        if let enabled = object["score_threshold_enabled"]?.bool { settings.scoreThresholdEnabled = enabled }
        if let threshold = object["score_threshold"], threshold != .null {
            guard let number = threshold.number, (0...1).contains(number) else {
                throw RelayError.invalidParam("retrieval_model.score_threshold", "score_threshold must be a number from 0 to 1", type: "range")
            }
            settings.scoreThreshold = number
            // Sent without the switch (the seed's request has no `score_threshold_enabled`): the threshold applies.
            if object["score_threshold_enabled"] == nil { settings.scoreThresholdEnabled = true }
        }
        if let weights = object["weights"]?.object {
            let semantic = weights["semantic_weight"]?.number ?? weights["vector_setting"]?["vector_weight"].number
            let keyword = weights["keyword_weight"]?.number ?? weights["keyword_setting"]?["keyword_weight"].number
            guard let semantic, let keyword, semantic >= 0, keyword >= 0, semantic + keyword > 0 else {
                throw RelayError.invalidParam(
                    "retrieval_model.weights", "weights needs semantic_weight and keyword_weight, 0 or more, not both 0", type: "range"
                )
            }
            settings.weights = .init(semantic: semantic / (semantic + keyword), keyword: keyword / (semantic + keyword))
        }
        if let enabled = object["reranking_enable"]?.bool { settings.rerankingEnabled = enabled }
        if let model = object["reranking_model"]?.object,
            let provider = model["reranking_provider_name"]?.string, let name = model["reranking_model_name"]?.string, !provider.isEmpty,
            !name.isEmpty
        {
            settings.rerankingModel = .init(provider: provider, model: name)
        }
        if settings.rerankingEnabled, settings.rerankingModel == nil {
            throw RelayError.invalidParam(
                "retrieval_model.reranking_model", "reranking_enable needs reranking_model {reranking_provider_name, reranking_model_name}",
                type: "required"
            )
        }
        if settings.method.needsEmbeddings, dataset.indexingTechnique != .highQuality {
            throw RelayError.invalidParam(
                "retrieval_model.search_method", "\(settings.method.rawValue) needs a high_quality dataset; this one is economy (keyword index only)",
                type: "enum"
            )
        }
        return settings
    }
}

extension RetrievalSettings.Method {
    var needsEmbeddings: Bool { self == .semanticSearch || self == .hybridSearch }
}

extension RetrievalSettings {
    /// These settings with a method `dataset` can serve: an economy dataset has no vectors, so where an app or a
    /// workflow asks for meaning it is searched by its keywords (a request of the retrieve endpoint is refused instead).
    func servable(by dataset: Dataset) -> RetrievalSettings {
        var settings = self
        if settings.method.needsEmbeddings, dataset.indexingTechnique != .highQuality { settings.method = .keywordSearch }
        return settings
    }
}
