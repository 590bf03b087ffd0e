import Crypto
public import Foundation

/// Segments as users see and change them: each change is indexed at once (its keyword index by the store, its
/// embedding here), so retrieval finds the new text with the next query.
extension DatasetService {
    /// A page of the document's segments, with the document's form (which every answer about segments names).
    public func segments(
        of documentID: DocumentID, in datasetID: DatasetID, keyword: String?, enabled: Bool?, page: Int, limit: Int, by caller: DatasetCaller
    ) async throws -> (page: Page<DocumentSegment>, form: DocumentForm) {
        let document = try await document(documentID, of: datasetID, by: caller)
        let page = try await store.segments(of: documentID, in: caller.workspaceID, keyword: keyword, enabled: enabled, page: page, limit: limit)
        let items = try await withChildren(page.items, of: document)
        return (Page(items: items, total: page.total, page: page.page, limit: page.limit), document.docForm)
    }

    /// One segment of the document, with its children in a parent-child document.
    public func segment(
        _ id: SegmentID, of documentID: DocumentID, in datasetID: DatasetID, by caller: DatasetCaller
    ) async throws
        -> (segment: DocumentSegment, form: DocumentForm)
    {
        let document = try await document(documentID, of: datasetID, by: caller)
        var segment = try await storedSegment(id, of: document)
        segment.vector = nil
        return (try await withChildren([segment], of: document)[0], document.docForm)
    }

    /// One of the document's segments (without its children), or a 404.
    func storedSegment(_ id: SegmentID, of document: DatasetDocument) async throws -> DocumentSegment {
        guard let segment = try await store.segment(id, of: document.id, in: document.workspaceID) else {
            throw RelayError.notFound("Segment \(id) not found")
        }
        return segment
    }

    /// The segments with their children, where Dify shows them: parents of a paragraph-mode parent-child document.
    private func withChildren(_ segments: [DocumentSegment], of document: DatasetDocument) async throws -> [DocumentSegment] {
        guard document.docForm == .hierarchical, document.processRule.rules.parentMode != .fullDoc, !segments.isEmpty else { return segments }
        let children = try await store.childChunks(of: segments.map(\.id), in: document.workspaceID)
        return segments.map { segment in
            var segment = segment
            segment.childChunks = children[segment.id, default: []]
            return segment
        }
    }

    /// The document, refused (403) when it is archived: archived documents change only by being un-archived.
    func editableDocument(_ id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller) async throws -> DatasetDocument {
        try Self.editable(try await document(id, of: datasetID, by: caller))
    }

    static func editable(_ document: DatasetDocument) throws -> DatasetDocument {
        guard !document.archived else { throw RelayError(.archivedDocumentImmutable, "The archived document is not editable.") }
        return document
    }

    public func addSegments(
        _ contents: [SegmentFields], to documentID: DocumentID, in datasetID: DatasetID, by caller: DatasetCaller
    ) async throws
        -> (segments: [DocumentSegment], form: DocumentForm)
    {
        try caller.requireEditor("add segments")
        let dataset = try await dataset(datasetID, by: caller)
        let document = try Self.editable(try await storedDocument(documentID, in: dataset))
        guard !document.isIndexing else {
            throw RelayError.invalidParam("document_id", "The document is still being indexed; add segments once it is completed", type: "state")
        }
        guard !contents.isEmpty else { throw RelayError.invalidParam("segments", "segments must name at least one segment", type: "required") }
        let date = now()
        var segments: [DocumentSegment] = []
        for (index, fields) in contents.enumerated() {
            let content = try TextRules.required(fields.content ?? "", field: "segments[\(index)].content", maxLength: 100_000)
            var answer = fields.answer
            if document.docForm == .questionAnswer {
                answer = try TextRules.required(fields.answer ?? "", field: "segments[\(index)].answer", maxLength: 100_000)
            }
            segments.append(
                DocumentSegment(
                    id: SegmentID(), workspaceID: caller.workspaceID, datasetID: datasetID, documentID: documentID, position: 0, content: content,
                    answer: answer, keywords: fields.keywords ?? [], wordCount: content.count + (answer?.count ?? 0), tokens: TokenCount.of(content),
                    indexNodeHash: Self.hash(content), createdAt: date, updatedAt: date, createdBy: caller.account, updatedBy: caller.account
                )
            )
        }
        if document.docForm == .hierarchical {
            // A parent's children are cut from it by the document's rule, and they, not it, are embedded.
            let rule = document.processRule.rules.subchunkSegmentation ?? ProcessRule.hierarchical.rules.subchunkSegmentation!
            for index in segments.indices {
                let texts = TextSplitting(rule, fixed: true).split(segments[index].content)
                let vectors: [[Float]?] =
                    dataset.indexingTechnique == .highQuality && !texts.isEmpty
                    ? try await embeddings(texts, for: dataset).map { $0 } : Array(repeating: nil, count: texts.count)
                segments[index].childChunks = texts.enumerated().map { position, text in
                    ChildChunk(
                        workspaceID: caller.workspaceID, datasetID: datasetID, documentID: documentID, segmentID: segments[index].id,
                        position: position + 1, content: text, type: .automatic, vector: vectors[position], createdBy: caller.account,
                        createdAt: date, updatedAt: date)
                }
            }
        } else if dataset.indexingTechnique == .highQuality {
            let vectors = try await embeddings(segments.map(\.content), for: dataset)
            for index in segments.indices { segments[index].vector = vectors[index] }
        }
        let limits = try await limits(of: caller.workspaceID)
        guard let stored = try await store.append(segments, to: documentID, in: caller.workspaceID, vectorSpaceLimit: limits.vectorSpace) else {
            throw RelayError.planLimit(
                "bytes of vector space", allowed: limits.vectorSpace, plan: try await plans.workspacePlan(caller.workspaceID)?.plan.name ?? "")
        }
        // Read back as shown (with the creator Dify names for a key), children with them.
        var shown: [DocumentSegment] = []
        for segment in stored {
            guard var read = try await store.segment(segment.id, of: documentID, in: caller.workspaceID) else { continue }
            read.vector = nil
            shown.append(read)
        }
        return (try await withChildren(shown, of: document), document.docForm)
    }

    public func updateSegment(
        _ id: SegmentID, of documentID: DocumentID, in datasetID: DatasetID, with fields: SegmentFields, by caller: DatasetCaller
    ) async throws -> (segment: DocumentSegment, form: DocumentForm) {
        try caller.requireEditor("change segments")
        let dataset = try await dataset(datasetID, by: caller)
        let document = try Self.editable(try await storedDocument(documentID, in: dataset))
        var segment = try await storedSegment(id, of: document)
        var contentChanged = false
        if let content = fields.content {
            let content = try TextRules.required(content, field: "content", maxLength: 100_000)
            if content != segment.content {
                contentChanged = true
                segment.content = content
                segment.tokens = TokenCount.of(content)
                segment.indexNodeHash = Self.hash(content)
                if dataset.indexingTechnique == .highQuality, document.docForm != .hierarchical {
                    segment.vector = try await embeddings([content], for: dataset).first
                }
            }
        }
        if let answer = fields.answer {
            if document.docForm == .questionAnswer { _ = try TextRules.required(answer, field: "answer", maxLength: 100_000) }
            segment.answer = answer
        }
        segment.wordCount = segment.content.count + (segment.answer?.count ?? 0)
        if let keywords = fields.keywords { segment.keywords = keywords }
        if let enabled = fields.enabled, enabled != segment.enabled {
            segment.enabled = enabled
            segment.disabledAt = enabled ? nil : now()
            segment.disabledBy = enabled ? nil : caller.account
        }
        segment.updatedAt = now()
        segment.updatedBy = caller.account
        guard try await store.replace(segment, in: caller.workspaceID) else { throw RelayError.notFound("Segment \(id) not found") }
        segment.vector = nil
        if document.docForm == .hierarchical, fields.regenerateChildChunks || (contentChanged && document.processRule.rules.parentMode != .fullDoc) {
            segment.childChunks = try await regenerateChildren(of: segment, document: document, dataset: dataset, by: caller)
            return (segment, document.docForm)
        }
        return (try await withChildren([segment], of: document)[0], document.docForm)
    }

    public func deleteSegment(_ id: SegmentID, of documentID: DocumentID, in datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("delete segments")
        _ = try await editableDocument(documentID, of: datasetID, by: caller)
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
        let filter = try MetadataFilter.parse(requested["metadata_filtering_conditions"], field: "retrieval_model.metadata_filtering_conditions")
        let documents = try await admittedDocuments(of: [dataset], filter: filter)
        return try await retrieval.retrieve(query, in: [dataset], settings: settings, workspace: caller.workspaceID, documents: documents)
    }

    /// Searches several datasets of the workspace at once, for apps and workflow nodes: each dataset searched its
    /// own way (semantic for high-quality ones under a semantic or hybrid method, keyword otherwise).
    public func retrieve(
        _ query: String, from ids: [DatasetID], topK: Int, scoreThreshold: Double?, method: RetrievalSettings.Method?, in workspace: WorkspaceID,
        requireDatasets: Bool = false, filter: MetadataFilter? = nil
    ) async throws -> [RetrievalRecord] {
        let datasets = try await workspaceDatasets(ids, in: workspace)
        if requireDatasets, datasets.isEmpty {
            throw RelayError(.workflowNodeFailed, "None of the datasets \(ids.map(\.description).joined(separator: ", ")) exists in this workspace")
        }
        guard !datasets.isEmpty, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        let documents = try await admittedDocuments(of: datasets, filter: filter)
        var records: [RetrievalRecord] = []
        for dataset in datasets {
            var settings = dataset.retrieval
            if let method { settings.method = method }
            settings = settings.servable(by: dataset)
            settings.topK = topK
            settings.scoreThresholdEnabled = scoreThreshold != nil
            settings.scoreThreshold = scoreThreshold ?? 0
            settings.rerankingEnabled = false
            records += try await retrieval.retrieve(query, in: [dataset], settings: settings, workspace: workspace, documents: documents)
        }
        return Array(records.sorted { $0.score > $1.score }.prefix(topK))
    }

    /// Searches the one dataset `pick` chooses among those of the workspace named by `ids`, with that dataset's own
    /// retrieval settings (Dify's `single` retrieval); a single dataset is chosen without asking.
    public func retrieveRouted(
        _ query: String, among ids: [DatasetID], in workspace: WorkspaceID, filter: MetadataFilter? = nil,
        pick: ([Dataset]) async throws -> DatasetID?
    ) async throws -> [RetrievalRecord] {
        let datasets = try await workspaceDatasets(ids, in: workspace)
        guard !datasets.isEmpty, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        guard let chosen = datasets.count == 1 ? datasets[0].id : try await pick(datasets), let dataset = datasets.first(where: { $0.id == chosen })
        else {
            return []
        }
        return try await retrieval.retrieve(
            query, in: [dataset], settings: dataset.retrieval.servable(by: dataset), workspace: workspace,
            documents: try await admittedDocuments(of: [dataset], filter: filter))
    }

    /// The workspace's datasets among `ids`, in the order `ids` names them; ids of no dataset of the workspace are left out.
    private func workspaceDatasets(_ ids: [DatasetID], in workspace: WorkspaceID) async throws -> [Dataset] {
        let found = try await store.datasets(in: workspace, matching: DatasetQuery(ids: ids, visibleTo: nil, page: 1, limit: max(1, ids.count))).items
        var seen = Set<DatasetID>()
        return ids.compactMap { id in seen.insert(id).inserted ? found.first { $0.id == id } : nil }
    }

    func embeddings(_ texts: [String], for dataset: Dataset) async throws -> [[Float]] {
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
    /// Cut a parent's children again from its (new) text.
    public var regenerateChildChunks: Bool

    public init(
        content: String? = nil, answer: String? = nil, keywords: [String]? = nil, enabled: Bool? = nil, regenerateChildChunks: Bool = false
    ) {
        self.content = content
        self.answer = answer
        self.keywords = keywords
        self.enabled = enabled
        self.regenerateChildChunks = regenerateChildChunks
    }
}
