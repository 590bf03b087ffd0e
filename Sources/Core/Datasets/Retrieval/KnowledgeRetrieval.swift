public import Foundation

/// A segment found for a query, with its score (0–1) and where it comes from.
public struct RetrievalRecord: Sendable {
    public let segment: DocumentSegment
    public let documentName: String
    public let datasetName: String
    public let score: Double
}

/// Searches datasets: exact cosine over cached vectors (semantic), the engine's keyword index (full text), or both
/// (hybrid: each candidate's semantic score and its keyword score divided by the best keyword score, weighted; or
/// ordered by a rerank model). Scores are 0–1; the threshold applies to the final score.
struct KnowledgeRetrieval: Sendable {
    let store: DatasetStore
    let models: ModelProviderService
    let cache: VectorCache

    func retrieve(_ query: String, in datasets: [Dataset], settings: RetrievalSettings, workspace: WorkspaceID) async throws -> [RetrievalRecord] {
        guard !datasets.isEmpty else { return [] }
        let ids = datasets.map(\.id)
        let widened = max(settings.topK * 4, 40)
        var scored: [SegmentID: Double] = [:]
        switch settings.method {
        case .fullTextSearch, .keywordSearch:
            for (id, score) in try await store.fullTextSearch(Self.terms(of: query), in: ids, workspace: workspace, limit: settings.topK) {
                scored[id] = score
            }
        case .semanticSearch:
            for (id, score) in try await semantic(query, in: datasets, limit: settings.topK, workspace: workspace) { scored[id] = score }
        case .hybridSearch:
            let keyword = try await store.fullTextSearch(Self.terms(of: query), in: ids, workspace: workspace, limit: widened)
            let semantic = try await semantic(query, in: datasets, limit: widened, workspace: workspace, alsoScoring: keyword.map(\.0))
            let best = keyword.map(\.1).max() ?? 0
            let keywordScores = Dictionary(keyword.map { ($0.0, best > 0 ? $0.1 / best : 0) }, uniquingKeysWith: max)
            for (id, score) in semantic {
                scored[id] = settings.weights.semantic * score + settings.weights.keyword * (keywordScores[id] ?? 0)
            }
        }
        var ranked = scored.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.description < $1.key.description }
        if settings.rerankingEnabled, let model = settings.rerankingModel {
            ranked = try await rerank(query, ranked.prefix(widened).map(\.key), model: model, workspace: workspace)
        }
        if settings.scoreThresholdEnabled { ranked = ranked.filter { $0.value >= settings.scoreThreshold } }
        ranked = Array(ranked.prefix(settings.topK))
        let found = Dictionary(try await store.found(ranked.map(\.key), in: workspace).map { ($0.segment.id, $0) }, uniquingKeysWith: { a, _ in a })
        let records = ranked.compactMap { id, score in
            found[id].map { found in
                // This retrieval is a hit: the record shows the count as stored once it is recorded.
                var segment = found.segment
                segment.hitCount += 1
                return RetrievalRecord(
                    segment: segment, documentName: found.documentName, datasetName: found.datasetName, score: min(1, max(0, score)))
            }
        }
        try await store.recordHits(records.map(\.segment.id), in: workspace)
        return records
    }

    /// Cosine scores of the nearest segments of each dataset (and of `alsoScoring`, wherever they rank).
    private func semantic(
        _ query: String, in datasets: [Dataset], limit: Int, workspace: WorkspaceID, alsoScoring extra: [SegmentID] = []
    ) async throws -> [(SegmentID, Double)] {
        var results: [(SegmentID, Double)] = []
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
            let nearest = await VectorMath.nearest(
                vector, in: matrix.values, dimensions: matrix.dimensions, count: matrix.segments.count, k: limit, parts: 2
            )
            var seen = Set<Int>()
            for hit in nearest {
                seen.insert(hit.row)
                results.append((matrix.segments[hit.row], Double(max(0, hit.score))))
            }
            for id in extra {
                guard let row = entry.rows[id], !seen.contains(row) else { continue }
                let start = row * matrix.dimensions
                let score = VectorMath.dot(matrix.values[start..<start + matrix.dimensions], vector)
                results.append((id, Double(max(0, score))))
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
