public import Foundation

/// What indexing a text would make, before it is added (Dify's `indexing-estimate`): how many segments, the first of
/// them with their children, and for `qa_model` the pairs a model writes from the first chunk.
public struct IndexingEstimate: Sendable {
    public var totalSegments: Int
    public var preview: [(content: String, children: [String]?)]
    public var questionAnswerPreview: [(question: String, answer: String)]?
}

extension DatasetService {
    /// Segments shown in an estimate's preview.
    static let previewSegments = 10

    public func estimate(
        _ text: String, rule: ProcessRule, form: DocumentForm?, language: String?, dataset datasetID: DatasetID?, by caller: DatasetCaller
    ) async throws -> IndexingEstimate {
        var form = form
        var rule = rule
        if let datasetID {
            (form, rule) = try await Self.reconcile(form: form, rule: rule, dataset: try await dataset(datasetID, by: caller))
        } else if form == nil || form == .hierarchical || rule.mode == .hierarchical {
            let unbound = Dataset(
                id: DatasetID(), workspaceID: caller.workspaceID, name: "", description: "", permission: .onlyMe, indexingTechnique: .economy,
                embeddingProvider: nil, embeddingModel: nil, retrieval: .defaults(for: .economy), createdBy: nil, createdAt: now(), updatedAt: now())
            (form, rule) = try await Self.reconcile(form: form, rule: rule, dataset: unbound)
        }
        return try await estimate(
            cleaned: TextCleaning.clean(text, rule: rule), rule: rule, form: form ?? .text, language: language ?? "English",
            workspace: caller.workspaceID)
    }

    /// The estimate of a stored document's source under its own rule.
    public func estimate(document id: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller) async throws -> IndexingEstimate {
        let (document, source) = try await source(of: id, in: datasetID, by: caller)
        let text = try await extraction.text(of: source)
        return try await estimate(
            cleaned: TextCleaning.clean(text, rule: document.processRule), rule: document.processRule, form: document.docForm,
            language: document.docLanguage, workspace: caller.workspaceID)
    }

    /// A document with its source as it arrived.
    public func source(of id: DocumentID, in datasetID: DatasetID, by caller: DatasetCaller) async throws -> (DatasetDocument, DocumentSource) {
        let document = try await document(id, of: datasetID, by: caller)
        guard let source = try await store.source(of: id, in: caller.workspaceID) else { throw RelayError.notFound("The document's file is gone") }
        return (document, source)
    }

    /// Several documents with their sources, for one download: the dataset checked once, every id one of its
    /// documents (404 naming the first that is not), and their files together at most `byteLimit` bytes (413 before
    /// any is read, so a request cannot make the server hold a hundred large files at once).
    public func sources(
        of ids: [DocumentID], in datasetID: DatasetID, byteLimit: Int, by caller: DatasetCaller
    ) async throws
        -> [(DatasetDocument, DocumentSource)]
    {
        _ = try await dataset(datasetID, by: caller)
        var documents: [DatasetDocument] = []
        var total = 0
        for id in ids {
            guard let document = try await store.document(id, of: datasetID, in: caller.workspaceID) else {
                throw RelayError.notFound("Document \(id) not found")
            }
            total += document.sourceSize
            documents.append(document)
        }
        guard total <= byteLimit else {
            throw RelayError(
                .fileTooLarge, "The documents' files come to \(total) bytes; one download holds at most \(byteLimit). Ask for fewer at once.")
        }
        var sources: [(DatasetDocument, DocumentSource)] = []
        for document in documents {
            guard let source = try await store.source(of: document.id, in: caller.workspaceID) else {
                throw RelayError.notFound("The file of document \(document.id) is gone")
            }
            sources.append((document, source))
        }
        return sources
    }

    /// A document's source for a signed link, which stands for the caller (its signature names the workspace).
    public func linkedSource(of id: DocumentID, in workspace: WorkspaceID) async throws -> (DatasetDocument, DocumentSource)? {
        guard let (document, _) = try await store.indexingTarget(id, in: workspace), let source = try await store.source(of: id, in: workspace)
        else { return nil }
        return (document, source)
    }

    private func estimate(
        cleaned: String, rule: ProcessRule, form: DocumentForm, language: String, workspace: WorkspaceID
    ) async throws
        -> IndexingEstimate
    {
        var probe = DatasetDocument(
            id: DocumentID(), workspaceID: workspace, datasetID: DatasetID(), position: 0, name: "", docType: "text", dataSourceType: "upload_file",
            batch: "", processRule: rule, createdBy: nil, createdAt: now(), updatedAt: now(), docForm: form, docLanguage: language)
        if form == .questionAnswer {
            probe.docForm = .text
            let chunks = try await IndexingPipeline.pieces(of: cleaned, document: probe, writer: QuestionAnswerWriter(models: models))
            var pairs: [(question: String, answer: String)] = []
            if let first = chunks.first {
                pairs = try await QuestionAnswerWriter(models: models).pairs(from: first.content, language: language, in: workspace)
            }
            return IndexingEstimate(
                totalSegments: chunks.count, preview: chunks.prefix(Self.previewSegments).map { ($0.content, nil) },
                questionAnswerPreview: pairs)
        }
        let pieces = try await IndexingPipeline.pieces(of: cleaned, document: probe, writer: QuestionAnswerWriter(models: models))
        return IndexingEstimate(
            totalSegments: pieces.count,
            preview: pieces.prefix(Self.previewSegments).map { ($0.content, form == .hierarchical ? $0.children : nil) },
            questionAnswerPreview: nil)
    }
}

extension DatasetService {
    /// The text of a file as the knowledge pipeline reads it (in the same sandbox for PDF and Word), for a message or a
    /// workflow that carries it; 400 naming `field` when it is not a kind it reads.
    public func text(ofFile name: String, fileExtension: String, content: Data, field: String) async throws -> String {
        guard let format = DocumentFormat.of(extension: fileExtension) else {
            throw RelayError.invalidParam(
                field,
                "\(name): the document extractor reads \(DocumentFormat.acceptedExtensions.joined(separator: ", ")) files, not .\(fileExtension)")
        }
        return try await extraction.text(of: DocumentSource(name: name, docType: format.rawValue, content: content))
    }
}
