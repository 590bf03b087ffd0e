public import Foundation

/// A segment found for a query, with its score (0–1) and where it comes from.
public struct RetrievalRecord: Sendable {
    public let segment: DocumentSegment
    public let documentName: String
    public let datasetName: String
    public let score: Double
    /// In a parent-child document: the children that matched, each with its own score (the record's is the best).
    public var childChunks: [(chunk: ChildChunk, score: Double)] = []
    /// The document's type and metadata values as hit testing shows them.
    public var documentType: String = "text"
    public var documentMetadata: [String: JSONValue] = [:]
}

/// Searches datasets: exact cosine over cached vectors (semantic), the engine's keyword index (full text), or both
/// (hybrid: each candidate's semantic score and its keyword score divided by the best keyword score, weighted; or
/// ordered by a rerank model). Scores are 0–1; the threshold applies to the final score.
struct KnowledgeRetrieval: Sendable {
    let store: DatasetStore
    let models: ModelProviderService
    let cache: VectorCache

    /// `documents`: only segments of these may be found (a metadata filter's choice), counted before `top_k`.
    func retrieve(
        _ query: String, in datasets: [Dataset], settings: RetrievalSettings, workspace: WorkspaceID, documents: Set<DocumentID>? = nil
    ) async throws -> [RetrievalRecord] {
        guard !datasets.isEmpty, documents?.isEmpty != true else { return [] }
        let ids = datasets.map(\.id)
        let widened = max(settings.topK * 4, 40)
        var scored: [SegmentID: Double] = [:]
        var children: [SegmentID: [(ChildChunkID, Double)]] = [:]
        switch settings.method {
        case .fullTextSearch, .keywordSearch:
            for (id, score) in try await store.fullTextSearch(
                Self.terms(of: query), in: ids, workspace: workspace, limit: settings.topK, documents: documents)
            {
                scored[id] = score
            }
        case .semanticSearch:
            for hit in try await semantic(query, in: datasets, limit: settings.topK, workspace: workspace, documents: documents) {
                scored[hit.segment] = hit.score
                if !hit.children.isEmpty { children[hit.segment] = hit.children }
            }
        case .hybridSearch:
            let keyword = try await store.fullTextSearch(Self.terms(of: query), in: ids, workspace: workspace, limit: widened, documents: documents)
            let semantic = try await semantic(
                query, in: datasets, limit: widened, workspace: workspace, documents: documents, alsoScoring: keyword.map(\.0))
            let best = keyword.map(\.1).max() ?? 0
            let keywordScores = Dictionary(keyword.map { ($0.0, best > 0 ? $0.1 / best : 0) }, uniquingKeysWith: max)
            for hit in semantic {
                scored[hit.segment] = settings.weights.semantic * hit.score + settings.weights.keyword * (keywordScores[hit.segment] ?? 0)
                if !hit.children.isEmpty { children[hit.segment] = hit.children }
            }
            // A segment the keyword index found that has no vector (a parent of children none of which ranked).
            for (id, score) in keywordScores where scored[id] == nil { scored[id] = settings.weights.keyword * score }
        }
        var ranked = scored.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.description < $1.key.description }
        if settings.rerankingEnabled, let model = settings.rerankingModel {
            ranked = try await rerank(query, ranked.prefix(widened).map(\.key), model: model, workspace: workspace)
        }
        if settings.scoreThresholdEnabled { ranked = ranked.filter { $0.value >= settings.scoreThreshold } }
        ranked = Array(ranked.prefix(settings.topK))
        let found = Dictionary(try await store.found(ranked.map(\.key), in: workspace).map { ($0.segment.id, $0) }, uniquingKeysWith: { a, _ in a })
        let chunks = try await store.childChunks(ranked.flatMap { children[$0.key, default: []].map(\.0) }, in: workspace)
        // The fields' names only when a record has values to show by them (no query for datasets without metadata).
        let fieldNames =
            found.values.contains { !$0.documentMetadata.values.isEmpty }
            ? Dictionary(
                try await store.metadataFields(of: ids, in: workspace).map { ($0.id.description, $0.name) }, uniquingKeysWith: { a, _ in a })
            : [:]
        let records = ranked.compactMap { id, score in
            found[id].map { found in
                // This retrieval is a hit: the record shows the count as stored once it is recorded.
                var segment = found.segment
                segment.hitCount += 1
                var record = RetrievalRecord(
                    segment: segment, documentName: found.documentName, datasetName: found.datasetName, score: min(1, max(0, score)))
                record.childChunks = children[id, default: []].compactMap { child, score in chunks[child].map { ($0, min(1, max(0, score))) } }
                record.documentType = found.documentType
                for (field, value) in found.documentMetadata.values {
                    if let name = fieldNames[field] { record.documentMetadata[name] = value }
                }
                return record
            }
        }
        try await store.recordHits(records.map { $0.segment.id }, in: workspace)
        return records
    }

    /// A segment's semantic score: its own vector's, or its best child's, with each child that ranked.
    struct SemanticHit {
        let segment: SegmentID
        var score: Double
        var children: [(ChildChunkID, Double)]
    }

    /// Cosine scores of the nearest segments of each dataset (and of `alsoScoring`, wherever they rank). A parent-child
    /// document's children are compared, and each parent scores as its best child.
    private func semantic(
        _ query: String, in datasets: [Dataset], limit: Int, workspace: WorkspaceID, documents: Set<DocumentID>?,
        alsoScoring extra: [SegmentID] = []
    ) async throws -> [SemanticHit] {
        var results: [SemanticHit] = []
        var queryVectors: [String: [Float]] = [:]
        for dataset in datasets where dataset.indexingTechnique == .highQuality {
            guard let provider = dataset.embeddingProvider, let model = dataset.embeddingModel else { continue }
            let key = provider + "\u{0}" + model
            let vector: [Float]
            if let known = queryVectors[key] {
                vector = known
            } else {
                let embeddings = try await models.embed([query], provider: provider, model: model, in: workspace)
                guard let first = embeddings.vectors.first, !first.isEmpty else {
                    throw RelayError(.completionRequestError, "The embedding model returned no vector for the query")
                }
                vector = VectorMath.normalized(first)
                queryVectors[key] = vector
            }
            guard let entry = try await cache.vectors(of: dataset.id, in: workspace, store: store) else { continue }
            let matrix = entry.vectors
            guard matrix.dimensions == vector.count else {
                if matrix.segments.isEmpty { continue }
                throw RelayError.invalidParam(
                    "query",
                    "The dataset's vectors have \(matrix.dimensions) dimensions and its embedding model now gives \(vector.count); re-index its documents"
                )
            }
            // Several children may stand for one parent: more rows are compared so that `limit` parents come back.
            let rowsWanted = entry.hasChildren ? limit * 4 : limit
            let nearest: [(row: Int, score: Float)]
            // The approximate index when there is one, unless a filter leaves so few rows that scanning them is cheaper
            // than walking the graph past the rest (counted from the entry's rows per document, not by a pass over
            // every row, which at a million rows would cost more than the index saves).
            let admittedRows = documents.map { admitted in admitted.reduce(0) { $0 + (entry.rowsPerDocument[$1] ?? 0) } }
            if let index = entry.approximate?.index, (admittedRows ?? matrix.segments.count) * 20 >= matrix.segments.count {
                let documentOf = matrix.documents
                let allowed: ((Int) -> Bool)? = documents.map { admitted in { admitted.contains(documentOf[$0]) } }
                nearest = index.nearest(vector, k: rowsWanted, search: max(ApproximateIndex.searchBreadth, rowsWanted), where: allowed)
            } else {
                let only = documents.map { admitted in matrix.documents.indices.filter { admitted.contains(matrix.documents[$0]) } }
                nearest = await VectorMath.nearest(
                    vector, in: matrix.values, dimensions: matrix.dimensions, count: matrix.segments.count, k: rowsWanted, parts: 2, only: only
                )
            }
            var seen = Set<SegmentID>()
            var order: [SegmentID] = []
            var hits: [SegmentID: SemanticHit] = [:]
            for hit in nearest {
                let segment = matrix.segments[hit.row]
                let score = Double(max(0, hit.score))
                if hits[segment] == nil {
                    order.append(segment)
                    hits[segment] = SemanticHit(segment: segment, score: score, children: [])
                } else {
                    hits[segment]!.score = max(hits[segment]!.score, score)
                }
                if let child = matrix.children[hit.row] { hits[segment]!.children.append((child, score)) }
            }
            for segment in order.prefix(limit) {
                seen.insert(segment)
                results.append(hits[segment]!)
            }
            for id in extra where !seen.contains(id) {
                guard let row = entry.rows[id] else { continue }
                let start = row * matrix.dimensions
                let score = VectorMath.dot(matrix.values[start..<start + matrix.dimensions], vector)
                results.append(SemanticHit(segment: id, score: Double(max(0, score)), children: []))
            }
        }
        return results
    }

    private func rerank(
        _ query: String, _ ids: [SegmentID], model: RetrievalSettings.RerankingModel, workspace: WorkspaceID
    ) async throws
        -> [(key: SegmentID, value: Double)]
    {
        let found = try await store.found(ids, in: workspace)
        guard !found.isEmpty else { return [] }
        let scores = try await models.rerank(
            query, documents: found.map(\.segment.content), provider: model.provider, model: model.model, in: workspace)
        return zip(found, scores).map { (key: $0.segment.id, value: $1) }.sorted { $0.value > $1.value }
    }

    /// Words of the query for the keyword index: letters and digits, lower-cased, each at most once.
    static func terms(of query: String) -> [String] {
        var seen = Set<String>()
        return query.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { seen.insert($0).inserted }.prefix(64).map { $0 }
    }
}
