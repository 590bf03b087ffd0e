public import Foundation

/// Child chunks of a parent segment as users see and change them (Dify's knowledge API): each change is embedded at
/// once, so retrieval finds the new text with the next query.
extension DatasetService {
    public func childChunks(
        of segmentID: SegmentID, in documentID: DocumentID, of datasetID: DatasetID, keyword: String?, page: Int, limit: Int,
        by caller: DatasetCaller
    ) async throws -> Page<ChildChunk> {
        _ = try await storedSegment(segmentID, of: try await document(documentID, of: datasetID, by: caller))
        return try await store.childChunks(of: segmentID, in: caller.workspaceID, keyword: keyword, page: page, limit: limit)
    }

    public func addChildChunk(
        _ content: String, to segmentID: SegmentID, in documentID: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller
    ) async throws -> ChildChunk {
        try caller.requireEditor("add child chunks")
        let dataset = try await dataset(datasetID, by: caller)
        let document = try Self.editable(try await storedDocument(documentID, in: dataset))
        _ = try await storedSegment(segmentID, of: document)
        let content = try TextRules.required(content, field: "content", maxLength: 100_000)
        let date = now()
        var child = ChildChunk(
            workspaceID: caller.workspaceID, datasetID: datasetID, documentID: document.id, segmentID: segmentID, position: 0, content: content,
            type: .customized, createdBy: caller.account, createdAt: date, updatedBy: caller.account, updatedAt: date
        )
        if dataset.indexingTechnique == .highQuality { child.vector = try await embedding(content, for: dataset) }
        let limits = try await limits(of: caller.workspaceID)
        guard let stored = try await store.append(child, vectorSpaceLimit: limits.vectorSpace) else {
            throw RelayError.planLimit(
                "bytes of vector space", allowed: limits.vectorSpace, plan: try await plans.workspacePlan(caller.workspaceID)?.plan.name ?? "")
        }
        var shown = stored
        shown.vector = nil
        return shown
    }

    public func updateChildChunk(
        _ id: ChildChunkID, content: String, of segmentID: SegmentID, in documentID: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller
    ) async throws -> ChildChunk {
        try caller.requireEditor("change child chunks")
        let dataset = try await dataset(datasetID, by: caller)
        _ = try await storedSegment(segmentID, of: try Self.editable(try await storedDocument(documentID, in: dataset)))
        guard var child = try await store.childChunk(id, of: segmentID, in: caller.workspaceID) else {
            throw RelayError.notFound("Child chunk not found.")
        }
        let content = try TextRules.required(content, field: "content", maxLength: 100_000)
        child.content = content
        child.wordCount = content.count
        child.indexNodeHash = Self.hash(content)
        child.type = .customized
        child.updatedBy = caller.account
        child.updatedAt = now()
        if dataset.indexingTechnique == .highQuality { child.vector = try await embedding(content, for: dataset) }
        guard try await store.replace(child) else { throw RelayError.notFound("Child chunk not found.") }
        child.vector = nil
        return child
    }

    public func deleteChildChunk(
        _ id: ChildChunkID, of segmentID: SegmentID, in documentID: DocumentID, of datasetID: DatasetID, by caller: DatasetCaller
    ) async throws {
        try caller.requireEditor("delete child chunks")
        _ = try await storedSegment(segmentID, of: try await editableDocument(documentID, of: datasetID, by: caller))
        guard try await store.deleteChildChunk(id, of: segmentID, in: caller.workspaceID) else { throw RelayError.notFound("Child chunk not found.") }
    }

    /// Cuts a parent's children again from its text, by its document's rule (Dify's `regenerate_child_chunks`).
    func regenerateChildren(
        of segment: DocumentSegment, document: DatasetDocument, dataset: Dataset, by caller: DatasetCaller
    ) async throws
        -> [ChildChunk]
    {
        guard document.docForm == .hierarchical else { return [] }
        guard document.processRule.rules.parentMode != .fullDoc else {
            throw RelayError.invalidParam(
                "segment.regenerate_child_chunks", "The document's parent mode is full-doc, so the child chunks cannot be regenerated.")
        }
        let rule = document.processRule.rules.subchunkSegmentation ?? ProcessRule.hierarchical.rules.subchunkSegmentation!
        let texts = TextSplitting(rule, fixed: true).split(segment.content)
        let vectors: [[Float]?] =
            dataset.indexingTechnique == .highQuality && !texts.isEmpty
            ? try await embeddings(texts, for: dataset).map { $0 } : Array(repeating: nil, count: texts.count)
        let date = now()
        let children = texts.enumerated().map { position, text in
            ChildChunk(
                workspaceID: caller.workspaceID, datasetID: dataset.id, documentID: document.id, segmentID: segment.id, position: position + 1,
                content: text, type: .automatic, vector: vectors[position], createdBy: caller.account, createdAt: date, updatedAt: date)
        }
        try await store.replaceChildren(of: segment.id, in: dataset.id, workspace: caller.workspaceID, with: children)
        return children.map {
            var child = $0
            child.vector = nil
            return child
        }
    }

    private func embedding(_ text: String, for dataset: Dataset) async throws -> [Float]? {
        try await embeddings([text], for: dataset).first
    }
}
