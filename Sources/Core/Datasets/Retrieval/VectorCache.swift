import Synchronization

/// Each dataset's vectors held in memory as one matrix, so that a semantic search is a scan of contiguous floats
/// instead of a read of every row. An entry is checked against the dataset's revision (one indexed read) on every
/// search and loaded again when any segment changed, on this instance or another. Entries past `capacity` floats
/// are dropped, least recently used first.
final class VectorCache: Sendable {
    struct Entry: Sendable {
        let revision: Int
        let vectors: StoredVectors
        /// Row of each segment, for scoring given segments (hybrid search).
        let rows: [SegmentID: Int]
        /// Whether any row is a child chunk (several rows may then stand for one segment).
        let hasChildren: Bool
    }

    private let entries = Mutex<(items: [DatasetID: (entry: Entry, used: UInt64)], clock: UInt64)>(([:], 0))
    let capacity: Int

    init(capacity: Int = 256 << 20) {
        self.capacity = capacity
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
        for (row, id) in vectors.segments.enumerated() where vectors.children[row] == nil { rows[id] = row }
        let entry = Entry(revision: revision, vectors: vectors, rows: rows, hasChildren: vectors.children.contains { $0 != nil })
        entries.withLock { state in
            state.clock += 1
            state.items[dataset] = (entry, state.clock)
            var total = state.items.values.reduce(0) { $0 + $1.entry.vectors.values.count }
            while total > capacity / 4, state.items.count > 1,
                let oldest = state.items.min(by: { $0.value.used < $1.value.used })
            {
                total -= oldest.value.entry.vectors.values.count
                state.items[oldest.key] = nil
            }
        }
        return entry
    }
}
