extension Dataset {
    /// Unit-length embeddings of `texts` from the dataset's model, one per text, all of one length; `EmbeddingMismatch`
    /// when the model answers with anything else.
    func embeddings(of texts: [String], models: ModelProviderService) async throws -> [[Float]] {
        guard let provider = embeddingProvider, let model = embeddingModel else {
            throw EmbeddingMismatch(message: "The dataset has no embedding model")
        }
        let embeddings = try await models.embed(texts, provider: provider, model: model, in: workspaceID)
        guard embeddings.vectors.count == texts.count, let dimensions = embeddings.vectors.first?.count, dimensions > 0,
            embeddings.vectors.allSatisfy({ $0.count == dimensions })
        else {
            throw EmbeddingMismatch(
                message: "The embedding model returned \(embeddings.vectors.count) vectors of unequal or no length for \(texts.count) texts"
            )
        }
        return embeddings.vectors.map(VectorMath.normalized)
    }
}

/// An embedding model answered with vectors that cannot be used.
struct EmbeddingMismatch: Error {
    let message: String
}
