public import Foundation

/// A workspace's knowledge bases: datasets with their permissions, documents queued for the indexing pipeline, and
/// segments. Every read and change is scoped by the caller's workspace; a dataset the caller's permission hides is
/// 403, another workspace's is 404.
public struct DatasetService: Sendable {
    let store: DatasetStore
    let plans: PlanStore
    let models: ModelProviderService
    let signal: IndexingSignal
    let retrieval: KnowledgeRetrieval
    let extraction: TextExtraction
    let now: @Sendable () -> Date

    public init(
        store: DatasetStore, plans: PlanStore, models: ModelProviderService, signal: IndexingSignal, converter: (any DocumentConverter)? = nil,
        vectorCacheBytes: Int = 256 << 20, approximateSearchFrom: Int = 100_000, now: @escaping @Sendable () -> Date
    ) {
        self.extraction = TextExtraction(converter: converter)
        self.store = store
        self.plans = plans
        self.models = models
        self.signal = signal
        self.retrieval = KnowledgeRetrieval(
            store: store, models: models, cache: VectorCache(capacity: vectorCacheBytes, approximateFrom: approximateSearchFrom))
        self.now = now
    }

    // MARK: Datasets

    public func list(_ query: DatasetQuery, by caller: DatasetCaller) async throws -> Page<Dataset> {
        var query = query
        query.visibleTo = caller.account
        query.seesKeyMade = caller.role?.canManageMembers ?? true
        let page = try await store.datasets(in: caller.workspaceID, matching: query)
        let items = try await withMetadataFields(try await tagged(page.items, in: caller.workspaceID), in: caller.workspaceID)
        return Page(items: items, total: page.total, page: page.page, limit: page.limit)
    }

    /// The dataset with its tags and metadata fields, as the API shows it.
    public func shown(_ id: DatasetID, by caller: DatasetCaller) async throws -> Dataset {
        try await withMetadataFields(try await tagged([try await dataset(id, by: caller)], in: caller.workspaceID), in: caller.workspaceID)[0]
    }

    private func withMetadataFields(_ datasets: [Dataset], in workspace: WorkspaceID) async throws -> [Dataset] {
        let fields = Dictionary(grouping: try await store.metadataFields(of: datasets.map(\.id), in: workspace), by: \.datasetID)
        return datasets.map { dataset in
            var dataset = dataset
            dataset.metadataFields = fields[dataset.id, default: []]
            return dataset
        }
    }

    public func dataset(_ id: DatasetID, by caller: DatasetCaller) async throws -> Dataset {
        guard let dataset = try await store.dataset(id, in: caller.workspaceID) else { throw RelayError.notFound("Dataset \(id) not found") }
        guard dataset.isVisible(to: caller.account, role: caller.role) else {
            throw RelayError.accessDenied("You do not have permission to access this dataset")
        }
        return dataset
    }

    /// Refuses a caller who may not change the dataset's documents: checked before a file's body is read, so a member
    /// who may not write sends nothing through the parser (the same checks `addDocuments` and `replaceDocument` make).
    public func requireDocumentEditor(of id: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("change documents")
        _ = try await dataset(id, by: caller)
    }

    public func create(_ fields: DatasetFields, by caller: DatasetCaller) async throws -> Dataset {
        try caller.requireEditor("create datasets")
        let date = now()
        var dataset = Dataset(
            id: DatasetID(), workspaceID: caller.workspaceID, name: "", description: "", permission: .onlyMe, indexingTechnique: .economy,
            embeddingProvider: nil, embeddingModel: nil, retrieval: .defaults(for: .economy), createdBy: caller.account, createdAt: date,
            updatedAt: date
        )
        try await apply(fields, to: &dataset, creating: true)
        try await store.insert(dataset)
        return try await self.dataset(dataset.id, by: caller)
    }

    public func update(_ id: DatasetID, with fields: DatasetFields, by caller: DatasetCaller) async throws -> Dataset {
        try caller.requireEditor("change datasets")
        var dataset = try await dataset(id, by: caller)
        let previousModel = (dataset.embeddingProvider, dataset.embeddingModel)
        try await apply(fields, to: &dataset, creating: false)
        let changed = dataset
        let date = now()
        guard
            let stored = try await store.update(
                id, in: caller.workspaceID,
                { stored in
                    stored = changed
                    stored.updatedAt = date
                })
        else { throw RelayError.notFound("Dataset \(id) not found") }
        if stored.indexingTechnique == .highQuality, stored.documentCount > 0, (stored.embeddingProvider, stored.embeddingModel) != previousModel {
            try await reindexDocuments(of: id, by: caller)
        }
        return try await tagged([stored], in: caller.workspaceID)[0]
    }

    /// Indexes every document of the dataset again from its stored source, as Dify does when a dataset's embedding
    /// model changes: the stored vectors are the other model's, of another space and often another size.
    private func reindexDocuments(of datasetID: DatasetID, by caller: DatasetCaller) async throws {
        var ids: [DocumentID] = []
        var page = 1
        while true {
            let documents = try await store.documents(of: datasetID, in: caller.workspaceID, keyword: nil, page: page, limit: 100)
            ids += documents.items.map(\.id)
            guard !documents.items.isEmpty, ids.count < documents.total else { break }
            page += 1
        }
        for id in ids {
            do {
                _ = try await restart(id, of: datasetID, source: nil, by: caller) { _ in }
            } catch let error as RelayError where error.code == .notFound {
                continue  // deleted meanwhile: nothing to index
            }
        }
    }

    public func delete(_ id: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("delete datasets")
        _ = try await dataset(id, by: caller)
        guard try await store.delete(id, in: caller.workspaceID) else { throw RelayError.notFound("Dataset \(id) not found") }
    }

    private func apply(_ fields: DatasetFields, to dataset: inout Dataset, creating: Bool) async throws {
        if let name = fields.name ?? (creating ? "" : nil) { dataset.name = try TextRules.required(name, field: "name", maxLength: 40) }
        if let description = fields.description {
            guard description.count <= 400 else {
                throw RelayError.invalidParam("description", "description must be at most 400 characters", type: "too_long")
            }
            dataset.description = description
        }
        if let permission = fields.permission { dataset.permission = permission }
        if let members = fields.partialMembers { dataset.partialMembers = Array(Set(members)).sorted { $0.description < $1.description } }
        if dataset.permission == .partialMembers, dataset.partialMembers.isEmpty, fields.permission == .partialMembers, fields.partialMembers == nil {
            throw RelayError.invalidParam(
                "partial_member_list", "partial_members needs partial_member_list: the members who may see it", type: "required")
        }
        if let provider = fields.embeddingProvider { dataset.embeddingProvider = provider.isEmpty ? nil : provider }
        if let model = fields.embeddingModel { dataset.embeddingModel = model.isEmpty ? nil : model }
        let techniqueChanged = fields.indexingTechnique.map { $0 != dataset.indexingTechnique } ?? false
        if let technique = fields.indexingTechnique {
            if !creating, techniqueChanged, dataset.documentCount > 0 {
                throw RelayError.invalidParam(
                    "indexing_technique", "The indexing technique of a dataset with documents cannot be changed; create another dataset",
                    type: "immutable"
                )
            }
            dataset.indexingTechnique = technique
            if creating || techniqueChanged, fields.retrieval == nil { dataset.retrieval = .defaults(for: technique) }
        }
        if dataset.indexingTechnique == .highQuality, dataset.embeddingProvider == nil || dataset.embeddingModel == nil,
            let fallback = try await models.defaultModel(.textEmbedding, in: dataset.workspaceID)
        {
            // Unnamed: the workspace's default embedding model, as in Dify.
            dataset.embeddingProvider = fallback.provider
            dataset.embeddingModel = fallback.model
        }
        if dataset.indexingTechnique == .highQuality {
            guard let provider = dataset.embeddingProvider, let model = dataset.embeddingModel else {
                throw RelayError.invalidParam(
                    "embedding_model",
                    "A high_quality dataset needs embedding_model_provider and embedding_model (a text-embedding model of this workspace)",
                    type: "required"
                )
            }
            // The model must be usable now, rather than at the first document's indexing.
            _ = try await models.resolve(provider: provider, model: model, type: .textEmbedding, in: dataset.workspaceID)
        }
        if let retrieval = fields.retrieval { dataset.retrieval = try RetrievalRequest.check(retrieval, for: dataset) }
    }

    // MARK: Documents

    /// Queues new documents of a dataset (one per source) and wakes the worker; they come back at once, `waiting`.
    /// `form`: the documents' `doc_form` (`nil`: the dataset's, or what the rule implies); `language`: for the pairs
    /// of a `qa_model` document.
    public func addDocuments(
        _ sources: [DocumentSource], to datasetID: DatasetID, rule: ProcessRule, form: DocumentForm? = nil, language: String? = nil,
        dataSourceType: String, by caller: DatasetCaller
    ) async throws -> (documents: [DatasetDocument], batch: String) {
        try caller.requireEditor("add documents")
        let dataset = try await dataset(datasetID, by: caller)
        let (form, rule) = try await Self.reconcile(form: form, rule: rule, dataset: dataset)
        if form == .questionAnswer, try await models.defaultModel(.llm, in: caller.workspaceID) == nil {
            throw RelayError(
                .providerNotInitialize,
                "qa_model documents need the workspace's default LLM to write their questions and answers: set one with "
                    + "POST /console/api/workspaces/current/default-model"
            )
        }
        let language = try TextRules.required(language ?? "English", field: "doc_language", maxLength: 64)
        let limits = try await limits(of: caller.workspaceID)
        if limits.vectorSpace > 0, try await store.usage(of: caller.workspaceID).vectorSpace >= limits.vectorSpace {
            throw RelayError.planLimit("bytes of vector space", allowed: limits.vectorSpace, plan: try await planName(of: caller.workspaceID))
        }
        let batch = Self.newBatch()
        let date = now()
        let documents = sources.map { source in
            let document = DatasetDocument(
                id: DocumentID(), workspaceID: caller.workspaceID, datasetID: dataset.id, position: 0, name: source.name, docType: source.docType,
                dataSourceType: dataSourceType, batch: batch, processRule: rule, createdBy: caller.account, createdAt: date, updatedAt: date,
                updatedBy: caller.account, docForm: form, docLanguage: language
            )
            return NewDocument(
                document: document, source: source,
                job: Self.indexingJob(for: document.id, in: caller.workspaceID)
            )
        }
        guard let stored = try await store.insert(documents, documentLimit: limits.documents) else {
            throw RelayError.planLimit("documents", allowed: limits.documents, plan: try await planName(of: caller.workspaceID))
        }
        signal.wake()
        // Read back as shown (with the creator Dify names for a key).
        let shown = try await store.documents(inBatch: batch, of: dataset.id, in: caller.workspaceID)
        return (shown.isEmpty ? stored : shown, batch)
    }

    /// A dataset's form and its documents' rule agree: a `hierarchical` rule makes parent-child documents, and
    /// parent-child documents cut by a hierarchical rule (Dify's defaults when the request names none); every
    /// document of a dataset has the form of its first.
    static func reconcile(form: DocumentForm?, rule: ProcessRule, dataset: Dataset) async throws -> (DocumentForm, ProcessRule) {
        let form = form ?? (rule.mode == .hierarchical ? .hierarchical : dataset.docForm ?? .text)
        if let fixed = dataset.docForm, fixed != form {
            throw RelayError.invalidParam("doc_form", "doc_form is different from the dataset doc_form (\(fixed.rawValue)).")
        }
        switch (form, rule.mode) {
        case (.hierarchical, .hierarchical), (.text, .automatic), (.text, .custom), (.questionAnswer, .automatic), (.questionAnswer, .custom):
            return (form, rule)
        case (.hierarchical, .automatic):
            return (form, .hierarchical)
        case (.hierarchical, .custom):
            var hierarchical = ProcessRule.hierarchical
            hierarchical.rules.cleaning = rule.rules.cleaning
            hierarchical.rules.segmentation = rule.rules.segmentation
            return (form, hierarchical)
        case (_, .hierarchical):
            throw RelayError.invalidParam(
                "process_rule.mode", "A hierarchical process_rule makes hierarchical_model documents; doc_form is \(form.rawValue)")
        }
    }

    /// A page of the dataset's documents, with the dataset's metadata fields to show their values by.
    public func documents(
        of datasetID: DatasetID, keyword: String?, status: DocumentDisplayStatus? = nil, page: Int, limit: Int, by caller: DatasetCaller
    ) async throws -> (page: Page<DatasetDocument>, metadata: MetadataSchema) {
        let dataset = try await dataset(datasetID, by: caller)
        let documents = try await store.documents(of: datasetID, in: caller.workspaceID, keyword: keyword, status: status, page: page, limit: limit)
        return (documents, try await metadataSchema(of: dataset))
    }

    /// One document with its dataset's metadata fields.
    public func shownDocument(
        _ id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller
    ) async throws
        -> (document: DatasetDocument, metadata: MetadataSchema)
    {
        let dataset = try await dataset(datasetID, by: caller)
        return (try await storedDocument(id, in: dataset), try await metadataSchema(of: dataset))
    }

    public func document(_ id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller) async throws -> DatasetDocument {
        try await storedDocument(id, in: try await dataset(datasetID, by: caller))
    }

    /// One of the dataset's documents (already checked for the caller), or a 404.
    func storedDocument(_ id: DocumentID, in dataset: Dataset) async throws -> DatasetDocument {
        guard let document = try await store.document(id, of: dataset.id, in: dataset.workspaceID) else {
            throw RelayError.notFound("Document \(id) not found")
        }
        return document
    }

    public func batch(_ batch: String, of datasetID: DatasetID, by caller: DatasetCaller) async throws -> [DatasetDocument] {
        _ = try await dataset(datasetID, by: caller)
        let documents = try await store.documents(inBatch: batch, of: datasetID, in: caller.workspaceID)
        if documents.isEmpty {
            // A document id works too, as Dify's clients sometimes poll with it.
            if let id = DocumentID(batch), let document = try await store.document(id, of: datasetID, in: caller.workspaceID) { return [document] }
            throw RelayError.notFound("Batch \(batch) not found")
        }
        return documents
    }

    public func rename(_ id: DocumentID, of datasetID: DatasetID, to name: String, by caller: DatasetCaller) async throws -> DatasetDocument {
        try caller.requireEditor("change documents")
        let name = try TextRules.required(name, field: "name", maxLength: 255)
        _ = try await editableDocument(id, of: datasetID, by: caller)
        return try await changeDocument(id, of: datasetID, by: caller) { $0.name = name }
    }

    /// Dify's document status actions.
    public enum StatusAction: String, Sendable, CaseIterable {
        case enable, disable, archive
        case unArchive = "un_archive"
    }

    /// Applies `action` to each document, all or none: every id must be one of the dataset's documents (404 naming
    /// the first that is not) and allow the action (400 `invalid_action`), or nothing changes. A document already in
    /// the state asked for is left as it is.
    public func apply(_ action: StatusAction, to ids: [DocumentID], of datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("change documents")
        let dataset = try await dataset(datasetID, by: caller)
        var documents: [DatasetDocument] = []
        for id in ids {
            let document = try await storedDocument(id, in: dataset)
            if action == .disable, document.enabled, document.status != .completed {
                throw RelayError(.invalidAction, "Document: \(document.name) is not completed.", details: ["document_id": .string(id.description)])
            }
            if action == .enable || action == .disable, document.archived {
                throw RelayError(
                    .archivedDocumentImmutable, "The archived document is not editable.", details: ["document_id": .string(id.description)])
            }
            documents.append(document)
        }
        let account = caller.account
        for document in documents {
            let date = now()
            _ = try await changeDocument(document.id, of: datasetID, by: caller) { document in
                switch action {
                case .enable:
                    document.enabled = true
                    document.disabledAt = nil
                    document.disabledBy = nil
                case .disable:
                    guard document.enabled else { return }
                    document.enabled = false
                    document.disabledAt = date
                    document.disabledBy = account
                case .archive:
                    guard !document.archived else { return }
                    document.archived = true
                    document.archivedAt = date
                    document.archivedBy = account
                case .unArchive:
                    document.archived = false
                    document.archivedAt = nil
                    document.archivedBy = nil
                }
                document.updatedBy = account
            }
        }
    }

    /// Gives a document new content (and rule) and indexes it again from the start.
    public func replaceDocument(
        _ id: DocumentID, of datasetID: DatasetID, source: DocumentSource?, rule: ProcessRule?, name: String?, by caller: DatasetCaller
    ) async throws -> DatasetDocument {
        try caller.requireEditor("change documents")
        _ = try await dataset(datasetID, by: caller)
        let current = try await editableDocument(id, of: datasetID, by: caller)
        if let rule, rule.mode == .hierarchical, current.docForm != .hierarchical {
            throw RelayError.invalidParam("process_rule.mode", "A hierarchical process_rule needs a hierarchical_model document")
        }
        let name = try name.map { try TextRules.required($0, field: "name", maxLength: 255) }
        return try await restart(id, of: datasetID, source: source, by: caller) { document in
            if let rule { document.processRule = rule }
            if let name { document.name = name }
            if let source { document.docType = source.docType }
        }
    }

    public func pause(_ id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller) async throws -> DatasetDocument {
        try caller.requireEditor("pause indexing")
        let current = try await document(id, of: datasetID, by: caller)
        guard current.isIndexing else {
            throw RelayError.invalidParam(
                "document_id", "Only a document being indexed can be paused; this one is \(current.status.rawValue)", type: "state")
        }
        guard let document = try await store.pause(id, of: datasetID, in: caller.workspaceID, at: now()), document.status == .paused else {
            throw RelayError.invalidParam("document_id", "The document finished indexing before it could be paused", type: "state")
        }
        return try await store.document(id, of: datasetID, in: caller.workspaceID) ?? document
    }

    /// Resumes a paused document: the pipeline starts it again, keeping the segments it had already stored.
    public func resume(_ id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller) async throws -> DatasetDocument {
        try caller.requireEditor("resume indexing")
        let current = try await document(id, of: datasetID, by: caller)
        guard current.status == .paused else {
            throw RelayError.invalidParam(
                "document_id", "Only a paused document can be resumed; this one is \(current.status.rawValue)", type: "state")
        }
        let date = now()
        let job = Self.indexingJob(for: id, in: caller.workspaceID)
        guard
            let document = try await store.reindex(
                id, of: datasetID, in: caller.workspaceID, source: nil, clearingSegments: false, job: job,
                { document in
                    document.status = .waiting
                    document.pausedAt = nil
                    document.updatedAt = date
                })
        else { throw RelayError.notFound("Document \(id) not found") }
        signal.wake()
        return try await store.document(id, of: datasetID, in: caller.workspaceID) ?? document
    }

    /// Indexes a document again from its stored source (after an error, or to apply a changed embedding model).
    public func retry(_ ids: [DocumentID], of datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("retry indexing")
        _ = try await dataset(datasetID, by: caller)
        for id in ids {
            let current = try await document(id, of: datasetID, by: caller)
            guard !current.isIndexing else {
                throw RelayError.invalidParam("document_ids", "Document \(id) is still being indexed", type: "state")
            }
            _ = try await restart(id, of: datasetID, source: nil, by: caller) { _ in }
        }
    }

    public func deleteDocument(_ id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("delete documents")
        _ = try await editableDocument(id, of: datasetID, by: caller)
        guard try await store.deleteDocument(id, of: datasetID, in: caller.workspaceID) else { throw RelayError.notFound("Document \(id) not found") }
    }

    private func restart(
        _ id: DocumentID, of datasetID: DatasetID, source: DocumentSource?, by caller: DatasetCaller,
        _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument {
        let date = now()
        let job = Self.indexingJob(for: id, in: caller.workspaceID)
        guard
            let document = try await store.reindex(
                id, of: datasetID, in: caller.workspaceID, source: source, clearingSegments: true, job: job,
                { document in
                    change(&document)
                    document.restartIndexing(at: date)
                })
        else { throw RelayError.notFound("Document \(id) not found") }
        signal.wake()
        return try await store.document(id, of: datasetID, in: caller.workspaceID) ?? document
    }

    private func changeDocument(
        _ id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller, _ change: @escaping @Sendable (inout DatasetDocument) -> Void
    ) async throws -> DatasetDocument {
        let date = now()
        guard
            let document = try await store.updateDocument(
                id, of: datasetID, in: caller.workspaceID,
                { document in
                    change(&document)
                    document.updatedAt = date
                })
        else { throw RelayError.notFound("Document \(id) not found") }
        return document
    }

    /// What the workspace's datasets hold, as its plan counts it.
    public func usage(of workspace: WorkspaceID) async throws -> DatasetUsage {
        try await store.usage(of: workspace)
    }

    // MARK: Plan

    func limits(of workspace: WorkspaceID) async throws -> PlanLimits {
        try await plans.workspacePlan(workspace)?.limits ?? PlanLimits()
    }

    private func planName(of workspace: WorkspaceID) async throws -> String {
        try await plans.workspacePlan(workspace)?.plan.name ?? ""
    }

    /// A job to index `document`. Jobs are scheduled on the wall clock, which every instance shares, not on the
    /// service's clock (which tests may hold still).
    static func indexingJob(for document: DocumentID, in workspace: WorkspaceID) -> BackgroundJob {
        BackgroundJob(workspaceID: workspace, kind: .indexDocument, subject: document.description, createdAt: Date())
    }

    static func newBatch() -> String {
        let date = Date()
        let stamp = String(Int(date.timeIntervalSince1970 * 1000))
        return stamp + String(UInt32.random(in: 100_000...999_999))
    }
}

/// The fields of a dataset a create or update names; `nil` leaves a field as it is (or at its default).
public struct DatasetFields: Sendable {
    public var name: String?
    public var description: String?
    public var permission: Dataset.Permission?
    public var partialMembers: [AccountID]?
    public var indexingTechnique: Dataset.IndexingTechnique?
    public var embeddingProvider: String?
    public var embeddingModel: String?
    public var retrieval: JSONValue?

    public init() {}
}

extension DatasetDocument {
    /// Back to `waiting` with nothing done, for a fresh run of the pipeline.
    mutating func restartIndexing(at date: Date) {
        status = .waiting
        error = nil
        wordCount = 0
        tokens = 0
        completedSegments = 0
        totalSegments = 0
        processingStartedAt = nil
        parsingCompletedAt = nil
        cleaningCompletedAt = nil
        splittingCompletedAt = nil
        completedAt = nil
        pausedAt = nil
        updatedAt = date
    }
}
