import Crypto
import Foundation
import Logging

/// One document through parsing, cleaning, splitting and indexing, for the job that holds its claim.
///
/// Every write goes through `storeIndexed`, which checks the claim in the same transaction: a job that was paused,
/// deleted or taken over after its lease ran out stops at its next write and changes nothing. Segments are stored in
/// batches, each with its embeddings, so a segment is either whole or absent; a job resumed after a crash splits the
/// same text the same way and skips the positions already stored, so nothing is lost or stored twice.
struct IndexingPipeline: Sendable {
    let store: DatasetStore
    let models: ModelProviderService
    let plans: PlanStore
    let extraction: TextExtraction
    let now: @Sendable () -> Date
    let logger: Logger

    /// Segments embedded and stored per transaction.
    static let batchSize = 32

    enum Outcome: Equatable {
        /// Finished: the document is indexed (or gone, or no longer waiting): the job is done.
        case finished
        /// Ended in `error` with the reason stored on the document: the job is done, as a failure.
        case failed
        /// The claim was lost (paused, deleted, taken over): nothing more to do or record.
        case abandoned
        /// A transient failure (an upstream down): run the job again later.
        case retry(String)
    }

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
        let chunks = TextSplitting(document.processRule).split(cleaned)
        guard !chunks.isEmpty else { throw StepFailure("The document has no text to index") }
        let counts = chunks.map { (words: $0.count, tokens: TokenCount.of($0)) }
        let words = counts.reduce(0) { $0 + $1.words }
        let tokens = counts.reduce(0) { $0 + $1.tokens }

        let limits = try await plans.workspacePlan(workspace)?.limits ?? PlanLimits()
        let stored = try await store.segmentPositions(of: documentID, in: workspace)
        if limits.vectorSpace > 0 {
            let adding = chunks.enumerated().filter { !stored.contains($0.offset + 1) }.reduce(0) { $0 + $1.element.utf8.count }
            if try await store.usage(of: workspace).vectorSpace + adding > limits.vectorSpace {
                throw StepFailure("The workspace's plan allows \(limits.vectorSpace) bytes of vector space; this document would pass it")
            }
        }

        date = now()
        guard
            try await advance({ [date] in
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
            var vectors: [[Float]?] = Array(repeating: nil, count: batch.count)
            if dataset.indexingTechnique == .highQuality {
                do {
                    vectors = try await dataset.embeddings(of: batch.map { chunks[$0] }, models: models).map { $0 }
                } catch let error as EmbeddingMismatch {
                    throw StepFailure(error.message)
                }
            }
            date = now()
            let segments = batch.enumerated().map { offset, index in
                DocumentSegment(
                    id: SegmentID(), workspaceID: workspace, datasetID: dataset.id, documentID: documentID, position: index + 1,
                    content: chunks[index],
                    wordCount: counts[index].words, tokens: counts[index].tokens, indexNodeHash: SHA256.hash(data: Data(chunks[index].utf8)).hex,
                    vector: vectors[offset], createdAt: date, updatedAt: date
                )
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
