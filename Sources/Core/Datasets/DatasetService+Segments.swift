import Crypto
public import Foundation

/// Segments as users see and change them: each change is indexed at once (its keyword index by the store, its
/// embedding here), so retrieval finds the new text with the next query.
extension DatasetService {
    public func segments(
        of documentID: DocumentID, in datasetID: DatasetID, keyword: String?, enabled: Bool?, page: Int, limit: Int, by caller: DatasetCaller
    ) async throws -> Page<DocumentSegment> {
        _ = try await document(documentID, of: datasetID, by: caller)
        return try await store.segments(of: documentID, in: caller.workspaceID, keyword: keyword, enabled: enabled, page: page, limit: limit)
    }

    public func addSegments(
        _ contents: [SegmentFields], to documentID: DocumentID, in datasetID: DatasetID, by caller: DatasetCaller
    ) async throws
        -> [DocumentSegment]
    {
        try caller.requireEditor("add segments")
        let dataset = try await dataset(datasetID, by: caller)
        let document = try await document(documentID, of: datasetID, by: caller)
        guard !document.isIndexing else {
            throw RelayError.invalidParam("document_id", "The document is still being indexed; add segments once it is completed", type: "state")
        }
        guard !contents.isEmpty else { throw RelayError.invalidParam("segments", "segments must name at least one segment", type: "required") }
        let date = now()
        var segments: [DocumentSegment] = []
        for fields in contents {
            let content = try TextRules.required(fields.content ?? "", field: "content", maxLength: 100_000)
            segments.append(
                DocumentSegment(
                    id: SegmentID(), workspaceID: caller.workspaceID, datasetID: datasetID, documentID: documentID, position: 0, content: content,
                    answer: fields.answer, keywords: fields.keywords ?? [], wordCount: content.count, tokens: TokenCount.of(content),
                    indexNodeHash: Self.hash(content), createdAt: date, updatedAt: date
                )
            )
        }
        if dataset.indexingTechnique == .highQuality {
            let vectors = try await embeddings(segments.map(\.content), for: dataset)
            for index in segments.indices { segments[index].vector = vectors[index] }
        }
        let limits = try await limits(of: caller.workspaceID)
        guard let stored = try await store.append(segments, to: documentID, in: caller.workspaceID, vectorSpaceLimit: limits.vectorSpace) else {
            throw RelayError.planLimit(
                "bytes of vector space", allowed: limits.vectorSpace, plan: try await plans.workspacePlan(caller.workspaceID)?.plan.name ?? "")
        }
        return stored
    }

    public func updateSegment(
        _ id: SegmentID, of documentID: DocumentID, in datasetID: DatasetID, with fields: SegmentFields, by caller: DatasetCaller
    ) async throws -> DocumentSegment {
        try caller.requireEditor("change segments")
        let dataset = try await dataset(datasetID, by: caller)
        _ = try await document(documentID, of: datasetID, by: caller)
        guard var segment = try await store.segment(id, of: documentID, in: caller.workspaceID) else {
            throw RelayError.notFound("Segment \(id) not found")
        }
        if let content = fields.content {
            let content = try TextRules.required(content, field: "content", maxLength: 100_000)
            if content != segment.content {
                segment.content = content
                segment.wordCount = content.count
                segment.tokens = TokenCount.of(content)
                segment.indexNodeHash = Self.hash(content)
                if dataset.indexingTechnique == .highQuality { segment.vector = try await embeddings([content], for: dataset).first }
            }
        }
        if let answer = fields.answer { segment.answer = answer }
        if let keywords = fields.keywords { segment.keywords = keywords }
        if let enabled = fields.enabled { segment.enabled = enabled }
        segment.updatedAt = now()
        guard try await store.replace(segment, in: caller.workspaceID) else { throw RelayError.notFound("Segment \(id) not found") }
        segment.vector = nil
        return segment
    }

    public func deleteSegment(_ id: SegmentID, of documentID: DocumentID, in datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("delete segments")
        _ = try await document(documentID, of: datasetID, by: caller)
        guard try await store.deleteSegment(id, of: documentID, in: caller.workspaceID) else { throw RelayError.notFound("Segment \(id) not found") }
    }

    // MARK: Retrieval

    /// Searches one dataset with its own settings, changed by what the request's `retrieval_model` names.
    public func retrieve(
        _ query: String, from datasetID: DatasetID, settings requested: JSONValue, by caller: DatasetCaller
    ) async throws
        -> [RetrievalRecord]
    {
        let dataset = try await dataset(datasetID, by: caller)
        let query = try TextRules.required(query, field: "query", maxLength: 10_000)
        let settings = try RetrievalRequest.check(requested, for: dataset)
        return try await retrieval.retrieve(query, in: [dataset], settings: settings, workspace: caller.workspaceID)
    }

    /// Searches several datasets of the workspace at once, for apps and workflow nodes: each dataset searched its
    /// own way (semantic for high-quality ones under a semantic or hybrid method, keyword otherwise).
    public func retrieve(
        _ query: String, from ids: [DatasetID], topK: Int, scoreThreshold: Double?, method: RetrievalSettings.Method?, in workspace: WorkspaceID,
        requireDatasets: Bool = false
    ) async throws -> [RetrievalRecord] {
        let datasets = try await workspaceDatasets(ids, in: workspace)
        if requireDatasets, datasets.isEmpty {
            throw RelayError(.workflowNodeFailed, "None of the datasets \(ids.map(\.description).joined(separator: ", ")) exists in this workspace")
        }
        guard !datasets.isEmpty, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        var records: [RetrievalRecord] = []
        for dataset in datasets {
            var settings = dataset.retrieval
            if let method { settings.method = method }
            settings = settings.servable(by: dataset)
            settings.topK = topK
            settings.scoreThresholdEnabled = scoreThreshold != nil
            settings.scoreThreshold = scoreThreshold ?? 0
            settings.rerankingEnabled = false
            records += try await retrieval.retrieve(query, in: [dataset], settings: settings, workspace: workspace)
        }
        return Array(records.sorted { $0.score > $1.score }.prefix(topK))
    }

    /// Searches the one dataset `pick` chooses among those of the workspace named by `ids`, with that dataset's own
    /// retrieval settings (Dify's `single` retrieval); a single dataset is chosen without asking.
    public func retrieveRouted(
        _ query: String, among ids: [DatasetID], in workspace: WorkspaceID, pick: ([Dataset]) async throws -> DatasetID?
    ) async throws -> [RetrievalRecord] {
        let datasets = try await workspaceDatasets(ids, in: workspace)
        guard !datasets.isEmpty, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        guard let chosen = datasets.count == 1 ? datasets[0].id : try await pick(datasets), let dataset = datasets.first(where: { $0.id == chosen })
        else {
            return []
        }
        return try await retrieval.retrieve(query, in: [dataset], settings: dataset.retrieval.servable(by: dataset), workspace: workspace)
    }

    /// The workspace's datasets among `ids`, in the order `ids` names them; ids of no dataset of the workspace are left out.
    private func workspaceDatasets(_ ids: [DatasetID], in workspace: WorkspaceID) async throws -> [Dataset] {
        let found = try await store.datasets(in: workspace, matching: DatasetQuery(ids: ids, visibleTo: nil, page: 1, limit: max(1, ids.count))).items
        var seen = Set<DatasetID>()
        return ids.compactMap { id in seen.insert(id).inserted ? found.first { $0.id == id } : nil }
    }

    private func embeddings(_ texts: [String], for dataset: Dataset) async throws -> [[Float]] {
        do {
            return try await dataset.embeddings(of: texts, models: models)
        } catch let error as EmbeddingMismatch {
            throw RelayError(.completionRequestError, error.message)
        }
    }

    static func hash(_ content: String) -> String { SHA256.hash(data: Data(content.utf8)).hex }
}

/// A segment's fields as a request names them; `nil` leaves one as it is.
public struct SegmentFields: Sendable {
    public var content: String?
    public var answer: String?
    public var keywords: [String]?
    public var enabled: Bool?

    public init(content: String? = nil, answer: String? = nil, keywords: [String]? = nil, enabled: Bool? = nil) {
        self.content = content
        self.answer = answer
        self.keywords = keywords
        self.enabled = enabled
    }
}
