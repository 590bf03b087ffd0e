import Dispatch
import Synchronization

/// Each dataset's vectors held in memory as one matrix, so that a semantic search is a scan of contiguous floats
/// instead of a read of every row. An entry is checked against the dataset's revision (one indexed read) on every
/// search and loaded again when any segment changed, on this instance or another. Entries past `capacity` floats
/// are dropped, least recently used first.
///
/// A matrix of at least `approximateFrom` rows also gets an approximate index (HNSW), built beside the searches that
/// keep scanning exactly until it is ready and has passed its recall check; it is rebuilt whenever the revision
/// moves (as the matrix is reloaded), so every instance sharing the database ends with the same index.
final class VectorCache: Sendable {
    struct Entry: Sendable {
        let revision: Int
        let vectors: StoredVectors
        /// Row of each segment, for scoring given segments (hybrid search).
        let rows: [SegmentID: Int]
        /// Whether any row is a child chunk (several rows may then stand for one segment).
        let hasChildren: Bool
        /// How many rows each document has, for sizing what a metadata filter leaves.
        let rowsPerDocument: [DocumentID: Int]
        /// The approximate index, for matrices large enough to need one.
        let approximate: ApproximateIndex?
    }

    private let entries = Mutex<(items: [DatasetID: (entry: Entry, used: UInt64)], clock: UInt64)>(([:], 0))
    let capacity: Int
    let approximateFrom: Int

    init(capacity: Int = 256 << 20, approximateFrom: Int = ApproximateIndex.defaultThreshold) {
        self.capacity = capacity
        self.approximateFrom = approximateFrom
    }

    func vectors(of dataset: DatasetID, in workspace: WorkspaceID, store: DatasetStore) async throws -> Entry? {
        guard let revision = try await store.revision(of: dataset, in: workspace) else { return nil }
        let cached = entries.withLock { state -> Entry? in
            guard let item = state.items[dataset], item.entry.revision == revision else { return nil }
            state.clock += 1
            state.items[dataset]?.used = state.clock
            return item.entry
        }
        if let cached { return cached }
        let vectors = try await store.vectors(of: dataset, in: workspace)
        var rows: [SegmentID: Int] = [:]
        rows.reserveCapacity(vectors.segments.count)
        var rowsPerDocument: [DocumentID: Int] = [:]
        for (row, id) in vectors.segments.enumerated() {
            rowsPerDocument[vectors.documents[row], default: 0] += 1
            if vectors.children[row] == nil { rows[id] = row }
        }
        var approximate: ApproximateIndex?
        if vectors.segments.count >= approximateFrom, vectors.dimensions > 0 {
            approximate = ApproximateIndex()
            await approximate?.build(vectors)
        }
        let entry = Entry(
            revision: revision, vectors: vectors, rows: rows, hasChildren: vectors.children.contains { $0 != nil },
            rowsPerDocument: rowsPerDocument, approximate: approximate)
        entries.withLock { state in
            state.clock += 1
            // The entry it replaces will never serve again: its index need not be built.
            state.items[dataset]?.entry.approximate?.abandon()
            state.items[dataset] = (entry, state.clock)
            var total = state.items.values.reduce(0) { $0 + $1.entry.vectors.values.count }
            while total > capacity / 4, state.items.count > 1,
                let oldest = state.items.min(by: { $0.value.used < $1.value.used })
            {
                total -= oldest.value.entry.vectors.values.count
                oldest.value.entry.approximate?.abandon()
                state.items[oldest.key] = nil
            }
        }
        return entry
    }
}

/// A matrix's HNSW index, once built and checked: a small matrix's is built before the first search that needs it,
/// a large one's in the background (seven minutes for a million rows of 384 dimensions on two cores) while searches
/// scan exactly. Background builds take turns, one at a time in the whole process, and one whose matrix was replaced
/// meanwhile (its dataset changed again) is skipped: a dataset that changes continually costs one build at a time, not
/// one per change. Before it serves, its recall@10 against the exact scan is measured on rows of the matrix; an index
/// below `minimumRecall` is never used.
final class ApproximateIndex: Sendable {
    enum State: Sendable {
        case building
        case ready(HNSWIndex, recall: Double)
        case refused(recall: Double)
        /// Its matrix was replaced or dropped before the index was built.
        case abandoned
    }

    /// Rows from which a matrix gets an index: where an exact scan on one core passes about 10 ms (measured:
    /// 8.8 ms p50 at 100,000 rows of 384 dimensions, 70 ms at 1,000,000).
    static let defaultThreshold = 100_000
    /// Matrices up to this many rows are indexed before the search that finds them unindexed (milliseconds).
    static let inlineBuildLimit = 5_000
    static let minimumRecall = 0.9
    /// The candidate list of a search: recall@10 0.98 at 1,000,000 rows, 1.5 ms p50 (`Benchmarks/ApproximateSearch`).
    static let searchBreadth = 128

    private let state = Mutex<State>(.building)

    var index: HNSWIndex? {
        state.withLock { state in
            if case .ready(let index, _) = state { return index }
            return nil
        }
    }

    var current: State { state.withLock { $0 } }

    /// Builds the index of `vectors`, awaited when small, otherwise on a background task in turn. Either way the work
    /// runs on threads of its own (`IndexBuildExecutor`), never on the few that every request's tasks share.
    func build(_ vectors: StoredVectors) async {
        if vectors.segments.count <= Self.inlineBuildLimit {
            await withTaskExecutorPreference(IndexBuildExecutor.shared) { await self.finish(vectors) }
        } else {
            Task.detached(executorPreference: IndexBuildExecutor.shared, priority: .background) {
                await BackgroundIndexBuilds.shared.run { await self.finish(vectors) }
            }
        }
    }

    /// Marks the index as never needed (its matrix left the cache); a build not yet begun is skipped.
    func abandon() {
        state.withLock { state in
            if case .building = state { state = .abandoned }
        }
    }

    private func finish(_ vectors: StoredVectors) async {
        guard case .building = current else { return }
        let count = vectors.segments.count
        let index = await HNSWIndex(vectors: vectors.values, dimensions: vectors.dimensions, count: count)
        let recall = Self.recall(of: index, on: vectors)
        state.withLock { state in
            guard case .building = state else { return }
            state = recall >= Self.minimumRecall ? .ready(index, recall: recall) : .refused(recall: recall)
        }
    }

    /// Recall@10 of the index against the exact scan, with up to 50 of the matrix's own rows (spread evenly) as
    /// queries.
    static func recall(of index: HNSWIndex, on vectors: StoredVectors) -> Double {
        let count = vectors.segments.count
        let dimensions = vectors.dimensions
        let samples = min(50, count)
        guard samples > 0 else { return 1 }
        var found = 0
        var wanted = 0
        for sample in 0..<samples {
            let row = sample * count / samples
            let query = Array(vectors.values[row * dimensions..<(row + 1) * dimensions])
            let exact = Set(VectorMath.nearest(query, in: vectors.values, dimensions: dimensions, rows: 0..<count, k: 10).map(\.row))
            let approximate = Set(index.nearest(query, k: 10, search: searchBreadth).map(\.row))
            found += exact.intersection(approximate).count
            wanted += exact.count
        }
        return wanted == 0 ? 1 : Double(found) / Double(wanted)
    }
}

/// Runs background index builds one at a time, in the order they were asked for.
actor BackgroundIndexBuilds {
    static let shared = BackgroundIndexBuilds()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run(_ build: @Sendable () async -> Void) async {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        await build()
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Threads for building indexes: a concurrent dispatch queue of background quality of service, so that a build (minutes
/// of arithmetic for a large dataset) takes the cores that requests leave, and never one of the cooperative pool's
/// threads every request's tasks need.
final class IndexBuildExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = IndexBuildExecutor()
    private let queue = DispatchQueue(label: "relay.vector-index-builds", qos: .background, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
