import Crypto
import Foundation
import Logging

/// One document through parsing, cleaning, splitting and indexing, for the job that holds its claim.
///
/// Every write goes through `storeIndexed`, which checks the claim in the same transaction: a job that was paused,
/// deleted or taken over after its lease ran out stops at its next write and changes nothing. Segments are stored in
/// batches, each with its embeddings, so a segment is either whole or absent; a job resumed after a crash splits the
/// same text the same way and skips the positions already stored, so nothing is lost or stored twice.
struct IndexingPipeline: JobRunner {
    let store: DatasetStore
    let models: ModelProviderService
    let plans: PlanStore
    let extraction: TextExtraction
    let now: @Sendable () -> Date
    let logger: Logger

    /// Segments embedded and stored per transaction.
    static let batchSize = 32

    typealias Outcome = BackgroundJob.Outcome

    func run(_ claim: JobClaim) async -> Outcome {
        do {
            return try await index(claim)
        } catch let error as StepFailure {
            return await giveUp(claim, error.message)
        } catch let error as RelayError where Self.isTransient(error) {
            return .retry(error.message)
        } catch let error as RelayError {
            return await giveUp(claim, error.message)
        } catch {
            return .retry(RelayError.logDescription(of: error))
        }
    }

    private func index(_ claim: JobClaim) async throws -> Outcome {
        guard let documentID = DocumentID(claim.job.subject),
            let target = try await store.indexingTarget(documentID, in: claim.job.workspaceID)
        else { return .finished }
        let (document, dataset) = target
        guard document.isIndexing else { return .finished }
        let workspace = dataset.workspaceID
        func advance(_ change: @escaping @Sendable (inout DatasetDocument) -> Void, adding segments: [DocumentSegment] = []) async throws -> Bool {
            let date = now()
            return try await store.storeIndexed(segments, of: documentID, in: workspace, claim: claim) { document in
                change(&document)
                document.updatedAt = date
            }
        }

        var date = now()
        guard
            try await advance({ [date] in
                $0.status = .parsing
                $0.processingStartedAt = $0.processingStartedAt ?? date
            })
        else { return .abandoned }
        guard let source = try await store.source(of: documentID, in: workspace) else { throw StepFailure("The document's source is missing") }
        let text: String
        do {
            text = try await extraction.text(of: source)
        } catch let error as RelayError {
            throw StepFailure("The file could not be read: \(error.message)")
        }

        date = now()
        guard
            try await advance({ [date] in
                $0.status = .cleaning
                $0.parsingCompletedAt = date
            })
        else { return .abandoned }
        let cleaned = TextCleaning.clean(text, rule: document.processRule)

        date = now()
        guard
            try await advance({ [date] in
                $0.status = .splitting
                $0.cleaningCompletedAt = date
            })
        else { return .abandoned }
        let pieces = try await Self.pieces(of: cleaned, document: document, writer: QuestionAnswerWriter(models: models))
        guard !pieces.isEmpty else { throw StepFailure("The document has no text to index") }
        let chunks = pieces.map(\.content)
        let counts = pieces.map { (words: $0.content.count + ($0.answer?.count ?? 0), tokens: TokenCount.of($0.content)) }
        let words = counts.reduce(0) { $0 + $1.words }
        let tokens = counts.reduce(0) { $0 + $1.tokens }

        let limits = try await plans.workspacePlan(workspace)?.limits ?? PlanLimits()
        var stored = try await store.segmentPositions(of: documentID, in: workspace)
        // A model writes different pairs each time: a resumed question-and-answer document starts its segments afresh.
        if document.docForm == .questionAnswer, !stored.isEmpty {
            guard try await store.storeIndexed([], of: documentID, in: workspace, claim: claim, clearing: true, { _ in }) else { return .abandoned }
            stored = []
        }
        if limits.vectorSpace > 0 {
            let adding = pieces.enumerated().filter { !stored.contains($0.offset + 1) }.reduce(0) { total, piece in
                total + piece.element.content.utf8.count + (piece.element.answer?.utf8.count ?? 0)
                    + piece.element.children.reduce(0) { $0 + $1.utf8.count }
            }
            if try await store.usage(of: workspace).vectorSpace + adding > limits.vectorSpace {
                throw StepFailure("The workspace's plan allows \(limits.vectorSpace) bytes of vector space; this document would pass it")
            }
        }

        date = now()
        guard
            try await advance({ [date, stored] in
                $0.status = .indexing
                $0.splittingCompletedAt = date
                $0.totalSegments = chunks.count
                $0.completedSegments = stored.count
                $0.wordCount = words
                $0.tokens = tokens
            })
        else { return .abandoned }

        let pending = chunks.indices.filter { !stored.contains($0 + 1) }
        var done = stored.count
        for start in stride(from: 0, to: pending.count, by: Self.batchSize) {
            let batch = Array(pending[start..<min(start + Self.batchSize, pending.count)])
            // A parent-child document's children are embedded, not its parents.
            let hierarchical = document.docForm == .hierarchical
            let embedded = hierarchical ? batch.flatMap { pieces[$0].children } : batch.map { chunks[$0] }
            var vectors: [[Float]?] = Array(repeating: nil, count: embedded.count)
            if dataset.indexingTechnique == .highQuality, !embedded.isEmpty {
                do {
                    vectors = try await dataset.embeddings(of: embedded, models: models).map { $0 }
                } catch let error as EmbeddingMismatch {
                    throw StepFailure(error.message)
                }
            }
            date = now()
            var nextVector = 0
            let segments = batch.map { index in
                var segment = DocumentSegment(
                    id: SegmentID(), workspaceID: workspace, datasetID: dataset.id, documentID: documentID, position: index + 1,
                    content: chunks[index], answer: pieces[index].answer, wordCount: counts[index].words, tokens: counts[index].tokens,
                    indexNodeHash: SHA256.hash(data: Data(chunks[index].utf8)).hex, createdAt: date, updatedAt: date,
                    createdBy: document.createdBy
                )
                if hierarchical {
                    segment.childChunks = pieces[index].children.enumerated().map { position, text in
                        defer { nextVector += 1 }
                        return ChildChunk(
                            workspaceID: workspace, datasetID: dataset.id, documentID: documentID, segmentID: segment.id, position: position + 1,
                            content: text, type: .automatic, vector: vectors[nextVector], createdBy: document.createdBy, createdAt: date,
                            updatedAt: date)
                    }
                } else {
                    segment.vector = vectors[nextVector]
                    nextVector += 1
                }
                return segment
            }
            done += segments.count
            guard try await advance({ [done] in $0.completedSegments = done }, adding: segments) else { return .abandoned }
        }

        date = now()
        guard
            try await advance({ [date] in
                $0.status = .completed
                $0.completedAt = date
                $0.error = nil
            })
        else { return .abandoned }
        return .finished
    }

    /// What becomes one segment: its text, a question's answer, a parent's children.
    struct Piece: Sendable {
        var content: String
        var answer: String? = nil
        var children: [String] = []
    }

    /// The document's text cut as its form says: chunks; parents each with its children; or the pairs a model wrote
    /// from each chunk.
    static func pieces(of text: String, document: DatasetDocument, writer: QuestionAnswerWriter) async throws -> [Piece] {
        let rule = document.processRule
        switch document.docForm {
        case .text:
            return TextSplitting(rule).split(text).map { Piece(content: $0) }
        case .hierarchical:
            let parents: [String]
            if rule.rules.parentMode == .fullDoc {
                let whole = ProcessRule.Segmentation(separator: "\n\n", maxTokens: ProcessRule.fullDocumentTokens, chunkOverlap: 0)
                parents = Array(TextSplitting(whole, fixed: false).split(text).prefix(1))
            } else {
                parents = TextSplitting(rule.rules.segmentation, fixed: rule.mode != .automatic).split(text)
            }
            let childRule = rule.rules.subchunkSegmentation ?? ProcessRule.hierarchical.rules.subchunkSegmentation!
            return parents.map { Piece(content: $0, children: TextSplitting(childRule, fixed: true).split($0)) }
        case .questionAnswer:
            var pieces: [Piece] = []
            for chunk in TextSplitting(rule).split(text) {
                for pair in try await writer.pairs(from: chunk, language: document.docLanguage, in: document.workspaceID) {
                    pieces.append(Piece(content: pair.question, answer: pair.answer))
                }
            }
            return pieces
        }
    }

    /// Ends the document in `error` with `message`, while the claim holds.
    func giveUp(_ claim: JobClaim, _ message: String) async -> Outcome {
        guard let documentID = DocumentID(claim.job.subject) else { return .finished }
        let date = now()
        do {
            let held = try await store.storeIndexed([], of: documentID, in: claim.job.workspaceID, claim: claim) { document in
                document.status = .error
                document.error = message
                document.updatedAt = date
            }
            return held ? .failed : .abandoned
        } catch {
            return .retry(RelayError.logDescription(of: error))
        }
    }

    /// Failures worth trying again: an upstream or the database briefly away.
    static func isTransient(_ error: RelayError) -> Bool {
        error.code == .completionRequestError || error.code == .serviceUnavailable || error.code == .tooManyRequests
            || error.code == .rateLimitExceeded
    }

    /// A step failed for a reason that retrying cannot mend; the document ends in `error` with this message.
    struct StepFailure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
