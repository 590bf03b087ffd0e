/// `knowledge-retrieval`: searches the workspace's datasets named by `dataset_ids` with the query variable, each the way
/// its settings say (semantic for high-quality datasets, keyword for economy ones), and gives the best `top_k`
/// segments as `result`: Dify's `[{content, title, metadata}]`. Dify's `single` mode lets a model pick one dataset;
/// here both modes search every listed dataset, `single` with its top_k (4 by default).
struct KnowledgeRetrievalStep: WorkflowStep {
    let query: [String]?
    let datasets: [DatasetID]
    let topK: Int
    let scoreThreshold: Double?
    let filtering: MetadataFiltering

    init(_ configuration: inout NodeConfiguration) {
        query = configuration.selector(configuration["query_variable_selector"], field: "query_variable_selector")
        var datasets: [DatasetID] = []
        for (index, item) in configuration["dataset_ids"].array.enumerated() {
            if let id = item.string.flatMap(DatasetID.init) {
                datasets.append(id)
            } else {
                configuration.problem("dataset_ids[\(index)]", "every dataset id must be a dataset's UUID")
            }
        }
        if configuration["dataset_ids"].array.isEmpty { configuration.problem("dataset_ids", "dataset_ids must name at least one dataset") }
        self.datasets = datasets
        let settings =
            configuration["retrieval_mode"].string == "single" ? configuration["single_retrieval_config"] : configuration["multiple_retrieval_config"]
        let topK = settings["top_k"].number ?? 4
        if !(1...Double(RetrievalSettings.maxTopK)).contains(topK) || topK != topK.rounded() {
            configuration.problem("multiple_retrieval_config.top_k", "top_k must be a whole number from 1 to \(RetrievalSettings.maxTopK)")
        }
        self.topK = Int(max(1, min(topK, Double(RetrievalSettings.maxTopK))))
        let threshold = settings["score_threshold"].number
        if let threshold, !(0...1).contains(threshold) {
            configuration.problem("multiple_retrieval_config.score_threshold", "score_threshold must be from 0 to 1")
        }
        scoreThreshold = threshold
        do {
            filtering = try MetadataFiltering.parse(configuration.node.data, field: "data")
        } catch {
            let refusal = error as? RelayError
            configuration.problem(refusal?.details?["field"].string ?? "metadata_filtering_mode", refusal?.message ?? "\(error)")
            filtering = .disabled
        }
    }

    var callsOut: Bool { true }

    var outputs: [String: WorkflowValueType]? { ["result": .array(of: .object)] }

    var reads: [(field: String, selector: [String])] { query.map { [("query_variable_selector", $0)] } ?? [] }

    func run(_ context: StepContext) async throws -> StepResult {
        guard let knowledge = context.run.services.knowledge else { throw RelayError(.workflowNodeFailed, "This server has no knowledge bases") }
        let value = query.flatMap { context.pool.value($0) } ?? .null
        guard let text = value.string else {
            throw RelayError(.workflowNodeFailed, "The query variable must be a string; it is \(WorkflowValueType.of(value))")
        }
        let filter = try await knowledge.metadataFilter(
            filtering, query: text, inputs: context.pool.byName, datasets: datasets, in: context.run.workspaceID)
        let records = try await knowledge.retrieve(
            text, from: datasets, topK: topK, scoreThreshold: scoreThreshold, method: nil, in: context.run.workspaceID,
            requireDatasets: true, filter: filter
        )
        let result: [JSONValue] = records.enumerated().map { position, record in
            [
                "content": .string(record.segment.content), "title": .string(record.documentName),
                "metadata": [
                    "_source": "knowledge", "position": .number(Double(position + 1)), "dataset_id": .string(record.segment.datasetID.description),
                    "dataset_name": .string(record.datasetName), "document_id": .string(record.segment.documentID.description),
                    "document_name": .string(record.documentName), "document_data_source_type": "upload_file",
                    "segment_id": .string(record.segment.id.description), "retriever_from": "workflow", "score": .number(record.score),
                    "segment_hit_count": .number(Double(record.segment.hitCount)), "segment_word_count": .number(Double(record.segment.wordCount)),
                    "segment_position": .number(Double(record.segment.position)), "segment_index_node_hash": .string(record.segment.indexNodeHash),
                    "doc_metadata": .object(record.documentMetadata),
                ],
            ]
        }
        return StepResult(inputs: ["query": value], outputs: ["result": .array(result)])
    }
}
