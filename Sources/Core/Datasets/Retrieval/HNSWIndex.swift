// MARK: - Index

/// Approximate nearest-neighbour index over unit vectors, where similarity is the dot product
/// (which equals the cosine for unit vectors; higher is better).
///
/// The index is a hierarchical navigable small-world graph (Malkov & Yashunin, "Efficient and robust
/// approximate nearest neighbor search using Hierarchical Navigable Small World graphs", 2016):
/// every row is a node on level 0; a geometrically shrinking random subset also lives on levels 1, 2, …
/// A build walks greedily down the sparse upper levels; a query runs a best-first search with a candidate
/// list of size `ef` on every level, entering each level at the best row found on the level above.
///
/// The index is immutable once built, so it is safe to query from any number of tasks at once.
/// It keeps a reference to the caller's `vectors` array (no copy is made while the caller also holds it).
///
/// Building is deterministic: the same vectors, `m`, `ef` and `seed` give the same graph whatever the
/// `parallelism`, because rows are inserted in fixed batches; within a batch every new row searches
/// the graph as it stood before the batch, and all links are then applied in a fixed order.
public final class HNSWIndex: Sendable {
    /// Width of each vector.
    public let dimensions: Int
    /// Number of indexed rows; rows are `0..<count` of the matrix given at build time.
    public let count: Int
    /// Most neighbours kept per node on levels above 0 (`M`); level 0 keeps `2 * M`.
    let neighbours: Int

    private let vectors: [Float]
    private let links: LinkStorage

    /// Builds the graph over rows `0..<count` of `vectors` (row-major, `dimensions` wide, unit length).
    ///
    /// - Parameters:
    ///   - m: neighbours per node on the upper levels (level 0 keeps twice as many). 16 suits 384-dim embeddings.
    ///   - ef: candidate-list size while building; larger is slower to build and gives a better graph.
    ///   - seed: seeds the random level assignment; the graph is a pure function of the inputs and the seed.
    ///   - parallelism: number of concurrent tasks used for the build. Does not change the result.
    ///
    /// Bad input never traps: `count` is clamped to the rows actually present in `vectors` (and to `Int32.max`),
    /// a non-positive `dimensions` gives an empty index.
    public init(
        vectors: [Float], dimensions: Int, count: Int, neighbours m: Int = 16, construction ef: Int = 100,
        seed: UInt64 = 1, parallelism: Int = 2
    ) async {
        let width = max(0, dimensions)
        var rows = width > 0 ? min(max(0, count), vectors.count / width) : 0
        rows = min(rows, Int(Int32.max) - 1)
        let m = min(max(2, m), 1_000)
        self.dimensions = width
        self.count = rows
        self.neighbours = m
        self.vectors = vectors
        self.links = await LinkStorage.build(
            vectors: vectors, dimensions: width, count: rows, m: m,
            ef: max(ef, m), seed: seed, parallelism: max(1, parallelism))
    }

    /// Bytes held by the index: the vectors (shared with the caller when the caller keeps its array)
    /// plus the graph.
    public var memoryBytes: Int {
        count * dimensions * MemoryLayout<Float>.size + graphBytes
    }

    /// Bytes held by the graph alone (neighbour lists, levels and offsets).
    public var graphBytes: Int {
        links.baseLinks.count * 4 + links.upperLinks.count * 4 + links.upperStart.count * 8 + links.levels.count
    }

    /// The `k` rows most similar to `query`, best first, as (row, score); approximate.
    ///
    /// - Parameters:
    ///   - query: a unit vector `dimensions` wide; a query of the wrong width returns no rows.
    ///   - ef: candidate-list size on level 0 (raised to at least `k`). Larger is slower and more accurate;
    ///     Measured on 1M clustered 384-dim vectors: ef 64 ≈ 0.96, ef 128 ≈ 0.98 recall@10 at ~1–2 ms (p50).
    ///   - allowed: optional row filter (metadata filtering). Rejected rows are still traversed, so the graph
    ///     stays connected, but are never returned. The search keeps going until it holds `ef` allowed rows,
    ///     so its cost grows roughly as `1 / selectivity` (about 10× for a filter passing 10% of rows).
    ///     If the graph walk finds fewer than `k` allowed rows, an exact scan over all rows is run instead, so
    ///     `min(k, number of allowed rows)` rows are always returned. A filter passing no rows therefore costs
    ///     a full graph walk plus a scan: for very selective filters (below roughly 1–2% of rows) the caller
    ///     should use an exact scan over the allowed rows directly. `allowed` is called once per visited row.
    public func nearest(
        _ query: [Float], k: Int, search ef: Int, where allowed: ((Int) -> Bool)? = nil
    )
        -> [(row: Int, score: Float)]
    {
        guard k > 0, count > 0, query.count == dimensions else { return [] }
        let ef = max(ef, k)
        return withGraph { graph in
            query.withUnsafeBufferPointer { queryBuffer -> [(row: Int, score: Float)] in
                guard let q = queryBuffer.baseAddress else { return [] }
                var found = graph.search(
                    q, k: k, ef: ef, entryPoint: links.entryPoint,
                    topLevel: links.topLevel, count: count, allowed: allowed)
                if found.count < min(k, count) {
                    // The walk ran out of reachable allowed rows: fall back to an exact scan.
                    found = graph.exactNearest(q, k: k, count: count, allowed: allowed)
                }
                return found
            }
        } ?? []
    }

    /// Number of rows that a walk over level 0 from the entry point cannot reach (a health check for the
    /// graph; such rows can only be returned through the exact-scan fallback). Costs O(count × M).
    public func unreachableRowCount() -> Int {
        guard count > 0 else { return 0 }
        let stride = 2 * neighbours + 1
        var seen = [Bool](repeating: false, count: count)
        var stack = [links.entryPoint]
        seen[links.entryPoint] = true
        var reached = 1
        while let row = stack.popLast() {
            let start = row * stride
            let listCount = Int(links.baseLinks[start])
            guard listCount > 0 else { continue }
            for slot in 1...listCount {
                let neighbour = Int(links.baseLinks[start + slot])
                if !seen[neighbour] {
                    seen[neighbour] = true
                    reached += 1
                    stack.append(neighbour)
                }
            }
        }
        return count - reached
    }

    /// Runs `body` with raw pointers to the vectors and the neighbour lists.
    private func withGraph<Result>(_ body: (GraphView) -> Result) -> Result? {
        vectors.withUnsafeBufferPointer { vectorBuffer in
            links.baseLinks.withUnsafeBufferPointer { baseBuffer in
                links.upperLinks.withUnsafeBufferPointer { upperBuffer in
                    links.upperStart.withUnsafeBufferPointer { startBuffer in
                        guard let v = vectorBuffer.baseAddress, let b = baseBuffer.baseAddress,
                            let u = upperBuffer.baseAddress, let s = startBuffer.baseAddress
                        else { return nil }
                        return body(
                            GraphView(
                                vectors: v, dimensions: dimensions, baseLinks: b, upperLinks: u,
                                upperStart: s, baseStride: 2 * neighbours + 1,
                                upperStride: neighbours + 1))
                    }
                }
            }
        }
    }
}

// MARK: - Storage

/// The neighbour lists, stored flat. Each list is one slot holding how many neighbours it has,
/// followed by `capacity` slots of row numbers (`Int32`).
///
/// Row `r`'s level-0 list starts at `r * (2M + 1)` in `baseLinks`; its list on level `l ≥ 1` starts at
/// `upperStart[r] + (l - 1) * (M + 1)` in `upperLinks` (only rows with `levels[r] ≥ l` have one).
private struct LinkStorage: Sendable {
    var baseLinks: [Int32]
    var upperLinks: [Int32]
    var upperStart: [Int]
    var levels: [UInt8]
    var entryPoint: Int
    var topLevel: Int

    /// Builds the graph; see `HNSWIndex.init`.
    ///
    /// Rows are inserted in batches. Batch sizes grow with the graph (1/32 of the rows inserted so far,
    /// at most 256), so a new row misses at most ~3% of its peers and never more than 255 of them.
    /// For each batch:
    /// 1. in parallel, each new row searches the frozen graph and writes its own neighbour lists
    ///    (new rows are unreachable until step 3, so nobody else reads those lists);
    /// 2. serially, the reverse links are gathered and sorted by (level, target, source);
    /// 3. in parallel, each target row (owned by exactly one task) merges its incoming links, pruning
    ///    with the diversity heuristic when the list overflows.
    static func build(
        vectors: [Float], dimensions: Int, count: Int, m: Int, ef: Int, seed: UInt64,
        parallelism: Int
    ) async -> LinkStorage {
        let baseStride = 2 * m + 1
        let upperStride = m + 1

        // Random levels: P(level ≥ l) = (1/M)^l, the usual choice mL = 1 / ln M.
        var random = SplitMix64(seed: seed)
        var levels = [UInt8](repeating: 0, count: count)
        var upperStart = [Int](repeating: 0, count: count)
        var upperTotal = 0
        let promotion = 1.0 / Double(m)
        for row in 0..<count {
            var level = 0
            while level < 24 && random.nextUnit() < promotion { level += 1 }
            levels[row] = UInt8(level)
            upperStart[row] = upperTotal
            upperTotal += level * upperStride
        }
        var storage = LinkStorage(
            baseLinks: [], upperLinks: [], upperStart: upperStart, levels: levels,
            entryPoint: 0, topLevel: 0)
        guard count > 0, dimensions > 0 else {
            storage.baseLinks = [0]
            storage.upperLinks = [0]
            storage.upperStart = [0]
            return storage
        }

        let base = UnsafeMutablePointer<Int32>.allocate(capacity: count * baseStride)
        base.initialize(repeating: 0, count: count * baseStride)
        let upper = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, upperTotal))
        upper.initialize(repeating: 0, count: max(1, upperTotal))
        let workers = parallelism
        let scratch = UnsafeMutablePointer<BuildScratch>.allocate(capacity: workers)
        scratch.initialize(repeating: BuildScratch(rows: count), count: workers)
        defer {
            scratch.deinitialize(count: workers)
            scratch.deallocate()
            base.deallocate()
            upper.deallocate()
        }
        let builder = Builder(
            vectors: vectors, dimensions: dimensions, baseLinks: base, upperLinks: upper,
            upperStart: upperStart, levels: levels, scratch: scratch, m: m, ef: ef,
            baseStride: baseStride, upperStride: upperStride)

        var entryPoint = 0
        var topLevel = Int(levels[0])
        var inserted = 1
        var requests: [UInt64] = []
        var groups: [Range<Int>] = []
        while inserted < count {
            let batchSize = min(count - inserted, max(1, min(256, inserted / 32)))
            let batch = inserted..<(inserted + batchSize)
            let entry = entryPoint
            let top = topLevel

            // 1. New rows find their neighbours in the frozen graph.
            if batchSize < 8 || workers == 1 {
                builder.connectNewRows(batch, worker: 0, workers: 1, entryPoint: entry, topLevel: top)
            } else {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<workers {
                        group.addTask {
                            builder.connectNewRows(
                                batch, worker: worker, workers: workers, entryPoint: entry,
                                topLevel: top)
                        }
                    }
                }
            }

            // 2. Gather reverse links: key = level (6 bits) | target (32 bits) | source offset (26 bits).
            requests.removeAll(keepingCapacity: true)
            for row in batch {
                for level in 0...min(Int(levels[row]), top) {
                    let list = builder.mutableList(row, level: level)
                    let listCount = Int(list[0])
                    guard listCount > 0 else { continue }
                    for slot in 1...listCount {
                        requests.append(
                            UInt64(level) << 58 | UInt64(UInt32(list[slot])) << 26
                                | UInt64(row - batch.lowerBound))
                    }
                }
            }
            requests.sort()
            groups.removeAll(keepingCapacity: true)
            var start = 0
            while start < requests.count {
                let key = requests[start] >> 26
                var end = start + 1
                while end < requests.count && requests[end] >> 26 == key { end += 1 }
                groups.append(start..<end)
                start = end
            }

            // 3. Each target merges its incoming links.
            let frozenRequests = requests
            let frozenGroups = groups
            if frozenGroups.count < 16 || workers == 1 {
                builder.mergeIncoming(
                    frozenRequests, groups: frozenGroups, firstRow: batch.lowerBound, worker: 0,
                    workers: 1)
            } else {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<workers {
                        group.addTask {
                            builder.mergeIncoming(
                                frozenRequests, groups: frozenGroups, firstRow: batch.lowerBound,
                                worker: worker, workers: workers)
                        }
                    }
                }
            }

            for row in batch where Int(levels[row]) > topLevel {
                topLevel = Int(levels[row])
                entryPoint = row
            }
            inserted += batchSize
        }

        repairUnreachableRows(base: base, count: count, baseStride: baseStride, entryPoint: entryPoint)
        storage.baseLinks = Array(UnsafeBufferPointer(start: base, count: count * baseStride))
        storage.upperLinks = Array(UnsafeBufferPointer(start: upper, count: max(1, upperTotal)))
        storage.entryPoint = entryPoint
        storage.topLevel = topLevel
        return storage
    }
}

/// Makes every row reachable on level 0 from the entry point. The diversity heuristic can prune away all
/// links into a row (or a small group of rows) on clustered data; such rows could then never be found by a
/// walk. Rows are visited in order; an unreachable row gets a link from the first of its own (reachable)
/// neighbours with room (existing links are never dropped), and everything it reaches is marked.
/// Deterministic; O(count × M).
private func repairUnreachableRows(base: UnsafeMutablePointer<Int32>, count: Int, baseStride: Int, entryPoint: Int) {
    var seen = [Bool](repeating: false, count: count)
    var stack: [Int] = []
    func markReachable(from start: Int) {
        seen[start] = true
        stack.append(start)
        while let row = stack.popLast() {
            let list = base + row * baseStride
            let listCount = Int(list[0])
            guard listCount > 0 else { continue }
            for slot in 1...listCount {
                let neighbour = Int(list[slot])
                if !seen[neighbour] {
                    seen[neighbour] = true
                    stack.append(neighbour)
                }
            }
        }
    }
    markReachable(from: entryPoint)
    for row in 0..<count where !seen[row] {
        let list = base + row * baseStride
        let listCount = Int(list[0])
        guard listCount > 0 else { continue }
        var donor = -1
        for slot in 1...listCount where seen[Int(list[slot])] {
            let neighbour = Int(list[slot])
            if donor < 0 { donor = neighbour }
            if Int(base[neighbour * baseStride]) < baseStride - 1 {
                donor = neighbour
                break
            }
        }
        guard donor >= 0 else { continue }  // reached later through another row of its group
        let other = base + donor * baseStride
        let otherCount = Int(other[0])
        guard otherCount < baseStride - 1 else { continue }  // never drop an existing link
        other[otherCount + 1] = Int32(row)
        other[0] = Int32(otherCount + 1)
        markReachable(from: row)
    }
}

/// Per-task scratch space reused across the whole build.
private struct BuildScratch {
    var visited: VisitTags
    var candidates = ScoreHeap()
    var results = ScoreHeap()
    var sorted: [ScoreHeap.Entry] = []
    var chosen: [Int32] = []

    init(rows: Int) { visited = VisitTags(rows: rows) }
}

/// Shared state of a build, handed to the build tasks.
///
/// `@unchecked Sendable` because it carries raw pointers. Safety argument: the vectors are immutable;
/// during step 1 a task writes only the lists of the new rows it owns (unreachable to other tasks);
/// during step 3 a task writes only the lists of the target rows it owns; each task has its own scratch
/// slot; and the steps are separated by task-group joins.
private struct Builder: @unchecked Sendable {
    let vectors: [Float]
    let dimensions: Int
    let baseLinks: UnsafeMutablePointer<Int32>
    let upperLinks: UnsafeMutablePointer<Int32>
    let upperStart: [Int]
    let levels: [UInt8]
    let scratch: UnsafeMutablePointer<BuildScratch>
    let m: Int
    let ef: Int
    let baseStride: Int
    let upperStride: Int

    /// The list (count slot first) of `row` on `level`.
    @inline(__always)
    func mutableList(_ row: Int, level: Int) -> UnsafeMutablePointer<Int32> {
        if level == 0 { return baseLinks + row &* baseStride }
        let offset: Int = upperStart[row] &+ (level &- 1) &* upperStride
        return upperLinks + offset
    }

    /// Runs `body` with a read-only view of the graph.
    private func withView(_ body: (GraphView) -> Void) {
        vectors.withUnsafeBufferPointer { vectorBuffer in
            upperStart.withUnsafeBufferPointer { startBuffer in
                guard let v = vectorBuffer.baseAddress, let s = startBuffer.baseAddress else { return }
                body(
                    GraphView(
                        vectors: v, dimensions: dimensions, baseLinks: baseLinks, upperLinks: upperLinks,
                        upperStart: s, baseStride: baseStride, upperStride: upperStride))
            }
        }
    }

    /// Step 1: for every row of `batch` assigned to `worker`, search the frozen graph and write the
    /// row's own neighbour lists, chosen with the diversity heuristic.
    func connectNewRows(_ batch: Range<Int>, worker: Int, workers: Int, entryPoint: Int, topLevel: Int) {
        withView { graph in
            var row = batch.lowerBound + worker
            while row < batch.upperBound {
                connect(row, graph: graph, entryPoint: entryPoint, topLevel: topLevel, scratch: &scratch[worker])
                row += workers
            }
        }
    }

    private func connect(
        _ row: Int, graph: GraphView, entryPoint: Int, topLevel: Int,
        scratch: inout BuildScratch
    ) {
        let query = graph.row(row)
        let rowLevel = Int(levels[row])
        var current = entryPoint
        var currentScore = graph.similarity(query, entryPoint)
        var level = topLevel
        while level > rowLevel {
            (current, currentScore) = graph.greedyClosest(query, from: current, score: currentScore, level: level)
            level -= 1
        }
        level = min(rowLevel, topLevel)
        while level >= 0 {
            scratch.visited.clear()
            scratch.candidates.clear()
            scratch.results.clear()
            graph.searchLevel(
                query, from: current, score: currentScore, level: level, ef: ef,
                visited: &scratch.visited, candidates: &scratch.candidates,
                results: &scratch.results, allowed: nil)
            scratch.sorted.removeAll(keepingCapacity: true)
            scratch.sorted.append(contentsOf: scratch.results.entries)
            scratch.sorted.sort { $0.score > $1.score }
            graph.selectDiverse(scratch.sorted, limit: m, into: &scratch.chosen)
            let list = mutableList(row, level: level)
            list[0] = Int32(scratch.chosen.count)
            for (slot, neighbour) in scratch.chosen.enumerated() { list[slot + 1] = neighbour }
            if let best = scratch.sorted.first {
                current = Int(best.row)
                currentScore = best.score
            }
            level -= 1
        }
    }

    /// Step 3: every target row in `groups` assigned to `worker` appends its incoming links, or, when the
    /// list would overflow, keeps a diverse subset of old and new neighbours.
    func mergeIncoming(_ requests: [UInt64], groups: [Range<Int>], firstRow: Int, worker: Int, workers: Int) {
        withView { graph in
            var index = worker
            while index < groups.count {
                let group = groups[index]
                index += workers
                let key = requests[group.lowerBound]
                let level = Int(key >> 58)
                let target = Int((key >> 26) & 0xFFFF_FFFF)
                let capacity = level == 0 ? 2 * m : m
                let list = mutableList(target, level: level)
                let existing = Int(list[0])
                if existing + group.count <= capacity {
                    var slot = existing + 1
                    for request in requests[group] {
                        list[slot] = Int32(firstRow + Int(request & 0x3FF_FFFF))
                        slot += 1
                    }
                    list[0] = Int32(existing + group.count)
                    continue
                }
                prune(
                    target: target, list: list, capacity: capacity, incoming: requests[group], firstRow: firstRow,
                    graph: graph, work: &scratch[worker])
            }
        }
    }
}

extension Builder {
    /// Replaces `list` (of `target`) by a diverse subset of its old neighbours plus the incoming rows.
    fileprivate func prune(
        target: Int, list: UnsafeMutablePointer<Int32>, capacity: Int, incoming: ArraySlice<UInt64>,
        firstRow: Int, graph: GraphView, work: inout BuildScratch
    ) {
        work.sorted.removeAll(keepingCapacity: true)
        let targetVector = graph.row(target)
        let existing = Int(list[0])
        if existing > 0 {
            for slot in 1...existing {
                let neighbour = list[slot]
                work.sorted.append(.init(score: graph.similarity(targetVector, Int(neighbour)), row: neighbour))
            }
        }
        for request in incoming {
            let source = firstRow + Int(request & 0x3FF_FFFF)
            work.sorted.append(.init(score: graph.similarity(targetVector, source), row: Int32(source)))
        }
        work.sorted.sort { $0.score > $1.score }
        graph.selectDiverse(work.sorted, limit: capacity, into: &work.chosen)
        list[0] = Int32(work.chosen.count)
        for (slot, neighbour) in work.chosen.enumerated() { list[slot + 1] = neighbour }
    }
}

// MARK: - Graph walking

/// Read-only raw view of the vectors and neighbour lists, used by both build and search.
private struct GraphView {
    let vectors: UnsafePointer<Float>
    let dimensions: Int
    let baseLinks: UnsafePointer<Int32>
    let upperLinks: UnsafePointer<Int32>
    let upperStart: UnsafePointer<Int>
    let baseStride: Int
    let upperStride: Int

    init(
        vectors: UnsafePointer<Float>, dimensions: Int, baseLinks: UnsafePointer<Int32>,
        upperLinks: UnsafePointer<Int32>, upperStart: UnsafePointer<Int>, baseStride: Int, upperStride: Int
    ) {
        self.vectors = vectors
        self.dimensions = dimensions
        self.baseLinks = baseLinks
        self.upperLinks = upperLinks
        self.upperStart = upperStart
        self.baseStride = baseStride
        self.upperStride = upperStride
    }

    @inline(__always) func row(_ row: Int) -> UnsafePointer<Float> { vectors + row &* dimensions }

    @inline(__always) func similarity(_ query: UnsafePointer<Float>, _ row: Int) -> Float {
        dotProduct(query, vectors + row &* dimensions, dimensions)
    }

    /// The list (count slot first) of `row` on `level`.
    @inline(__always) func list(_ row: Int, level: Int) -> UnsafePointer<Int32> {
        if level == 0 { return baseLinks + row &* baseStride }
        let offset: Int = upperStart[row] &+ (level &- 1) &* upperStride
        return upperLinks + offset
    }

    /// Hill-climbs on one level: moves to the most similar neighbour until none is better.
    func greedyClosest(_ query: UnsafePointer<Float>, from start: Int, score: Float, level: Int) -> (Int, Float) {
        var best = start
        var bestScore = score
        var moved = true
        while moved {
            moved = false
            let links = list(best, level: level)
            let linkCount = Int(links[0])
            var slot = 1
            while slot <= linkCount {
                let neighbour = Int(links[slot])
                let s = similarity(query, neighbour)
                if s > bestScore {
                    bestScore = s
                    best = neighbour
                    moved = true
                }
                slot += 1
            }
        }
        return (best, bestScore)
    }

    /// Best-first search on one level. On return `results` holds up to `ef` rows (allowed ones only),
    /// as a heap whose top is the least similar.
    ///
    /// `candidates` is a min-heap on negated similarity, i.e. the most similar unexpanded row on top.
    /// The walk stops when the best unexpanded candidate is worse than the worst of `ef` results.
    func searchLevel<Visited: VisitedRows>(
        _ query: UnsafePointer<Float>, from start: Int, score: Float, level: Int, ef: Int,
        visited: inout Visited, candidates: inout ScoreHeap, results: inout ScoreHeap,
        allowed: ((Int) -> Bool)?
    ) {
        _ = visited.insert(start)
        candidates.push(-score, Int32(start))
        if allowed?(start) ?? true { results.push(score, Int32(start)) }
        // Unvisited neighbours of the expanded node are scored four at a time, so four vectors are
        // fetched from memory concurrently (the walk is bound by memory latency, not arithmetic).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: baseStride) { pending in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: baseStride) { scores in
                while let best = candidates.first {
                    let bestScore = -best.score
                    if results.count >= ef, let worst = results.first, bestScore < worst.score { break }
                    candidates.removeFirst()
                    let links = list(Int(best.row), level: level)
                    let linkCount = min(Int(links[0]), pending.count)
                    var fresh = 0
                    var slot = 1
                    while slot <= linkCount {
                        let neighbour = Int(links[slot])
                        slot += 1
                        if visited.insert(neighbour) {
                            pending[fresh] = neighbour
                            fresh += 1
                        }
                    }
                    var index = 0
                    while index &+ 4 <= fresh {
                        let four = dotProduct4(
                            query, row(pending[index]), row(pending[index &+ 1]),
                            row(pending[index &+ 2]), row(pending[index &+ 3]), dimensions)
                        scores[index] = four.0
                        scores[index &+ 1] = four.1
                        scores[index &+ 2] = four.2
                        scores[index &+ 3] = four.3
                        index &+= 4
                    }
                    while index < fresh {
                        scores[index] = similarity(query, pending[index])
                        index &+= 1
                    }
                    for position in 0..<fresh {
                        let s = scores[position]
                        let neighbour = pending[position]
                        if results.count < ef || s > results.entries[0].score {
                            candidates.push(-s, Int32(neighbour))
                            if allowed?(neighbour) ?? true {
                                results.push(s, Int32(neighbour))
                                if results.count > ef { results.removeFirst() }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Keeps candidates (sorted most similar first) that are more similar to the base row than to any
    /// neighbour already kept — the HNSW "heuristic" selection, which keeps links pointing in diverse
    /// directions so clustered data stays navigable. Stops at `limit`.
    func selectDiverse(_ sorted: [ScoreHeap.Entry], limit: Int, into chosen: inout [Int32]) {
        chosen.removeAll(keepingCapacity: true)
        for candidate in sorted {
            if chosen.count >= limit { break }
            let candidateVector = row(Int(candidate.row))
            var keep = true
            for kept in chosen where similarity(candidateVector, Int(kept)) > candidate.score {
                keep = false
                break
            }
            if keep { chosen.append(candidate.row) }
        }
    }

    /// Full query: beam search (width `ef`) down the upper levels, then `searchLevel` on level 0.
    func search(
        _ query: UnsafePointer<Float>, k: Int, ef: Int, entryPoint: Int, topLevel: Int, count: Int,
        allowed: ((Int) -> Bool)?
    ) -> [(row: Int, score: Float)] {
        var current = entryPoint
        var currentScore = similarity(query, entryPoint)
        // Upper levels: a beam of `ef` rather than a single greedy step. On strongly clustered data the
        // similarity between clusters is noise, so one greedy walk can settle in the wrong cluster; the beam
        // explores enough of the (small) upper levels to find the query's cluster. Costs ~1 level-0 search.
        var level = topLevel
        while level > 0 {
            var upperVisited = VisitBits(rows: count)
            var upperCandidates = ScoreHeap()
            var upperResults = ScoreHeap()
            searchLevel(
                query, from: current, score: currentScore, level: level, ef: ef, visited: &upperVisited,
                candidates: &upperCandidates, results: &upperResults, allowed: nil)
            upperVisited.release()
            for entry in upperResults.entries where entry.score > currentScore {
                current = Int(entry.row)
                currentScore = entry.score
            }
            level -= 1
        }
        var visited = VisitBits(rows: count)
        defer { visited.release() }
        var candidates = ScoreHeap()
        var results = ScoreHeap()
        candidates.entries.reserveCapacity(ef * 4)
        results.entries.reserveCapacity(ef + 1)
        searchLevel(
            query, from: current, score: currentScore, level: 0, ef: ef, visited: &visited,
            candidates: &candidates, results: &results, allowed: allowed)
        let best = results.entries.sorted { $0.score > $1.score }.prefix(k)
        return best.map { (row: Int($0.row), score: $0.score) }
    }

    /// Exact top-`k` over all allowed rows (fallback when the graph walk finds too few allowed rows).
    func exactNearest(
        _ query: UnsafePointer<Float>, k: Int, count: Int, allowed: ((Int) -> Bool)?
    )
        -> [(row: Int, score: Float)]
    {
        var results = ScoreHeap()
        for row in 0..<count where allowed?(row) ?? true {
            let s = similarity(query, row)
            if results.count < k {
                results.push(s, Int32(row))
            } else if let worst = results.first, s > worst.score {
                results.removeFirst()
                results.push(s, Int32(row))
            }
        }
        return results.entries.sorted { $0.score > $1.score }.map { (row: Int($0.row), score: $0.score) }
    }
}

/// Dot product of two `count`-wide vectors, eight lanes at a time.
@inline(__always)
private func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    let left = UnsafeRawPointer(a)
    let right = UnsafeRawPointer(b)
    var sum0 = SIMD8<Float>()
    var sum1 = SIMD8<Float>()
    var sum2 = SIMD8<Float>()
    var sum3 = SIMD8<Float>()
    var index = 0
    while index &+ 32 <= count {
        let offset = index &* 4
        sum0 +=
            left.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            * right.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        sum1 +=
            left.loadUnaligned(fromByteOffset: offset &+ 32, as: SIMD8<Float>.self)
            * right.loadUnaligned(fromByteOffset: offset &+ 32, as: SIMD8<Float>.self)
        sum2 +=
            left.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD8<Float>.self)
            * right.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD8<Float>.self)
        sum3 +=
            left.loadUnaligned(fromByteOffset: offset &+ 96, as: SIMD8<Float>.self)
            * right.loadUnaligned(fromByteOffset: offset &+ 96, as: SIMD8<Float>.self)
        index &+= 32
    }
    while index &+ 8 <= count {
        let offset = index &* 4
        sum0 +=
            left.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            * right.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        index &+= 8
    }
    var total = ((sum0 + sum1) + (sum2 + sum3)).sum()
    while index < count {
        total += a[index] * b[index]
        index &+= 1
    }
    return total
}

/// Dot products of `query` with four vectors at once (loads from the four rows are interleaved so their
/// cache misses overlap).
@inline(__always)
private func dotProduct4(
    _ query: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafePointer<Float>, _ d: UnsafePointer<Float>, _ count: Int
)
    -> (Float, Float, Float, Float)
{
    let q = UnsafeRawPointer(query)
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    let rc = UnsafeRawPointer(c)
    let rd = UnsafeRawPointer(d)
    var sumA = SIMD8<Float>()
    var sumB = SIMD8<Float>()
    var sumC = SIMD8<Float>()
    var sumD = SIMD8<Float>()
    var index = 0
    while index &+ 8 <= count {
        let offset = index &* 4
        let x = q.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        sumA += x * ra.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        sumB += x * rb.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        sumC += x * rc.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        sumD += x * rd.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        index &+= 8
    }
    var totalA = sumA.sum()
    var totalB = sumB.sum()
    var totalC = sumC.sum()
    var totalD = sumD.sum()
    while index < count {
        let x = query[index]
        totalA += x * a[index]
        totalB += x * b[index]
        totalC += x * c[index]
        totalD += x * d[index]
        index &+= 1
    }
    return (totalA, totalB, totalC, totalD)
}

// MARK: - Small helpers

/// Binary min-heap of (score, row). Used as a max-heap by pushing negated scores.
private struct ScoreHeap {
    /// One heap entry.
    struct Entry {
        var score: Float
        var row: Int32
    }

    var entries: [Entry] = []

    var count: Int { entries.count }
    var first: Entry? { entries.first }

    mutating func clear() { entries.removeAll(keepingCapacity: true) }

    mutating func push(_ score: Float, _ row: Int32) {
        entries.append(Entry(score: score, row: row))
        entries.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            let item = heap[child]
            while child > 0 {
                let parent = (child - 1) >> 1
                if heap[parent].score <= item.score { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = item
        }
    }

    /// Removes the smallest entry (no-op when empty).
    mutating func removeFirst() {
        guard let last = entries.popLast() else { return }
        if entries.isEmpty { return }
        entries.withUnsafeMutableBufferPointer { heap in
            let size = heap.count
            var parent = 0
            while true {
                var child = 2 * parent + 1
                if child >= size { break }
                if child + 1 < size && heap[child + 1].score < heap[child].score { child += 1 }
                if last.score <= heap[child].score { break }
                heap[parent] = heap[child]
                parent = child
            }
            heap[parent] = last
        }
    }
}

/// A set of visited rows.
private protocol VisitedRows {
    /// Marks `row` visited; returns true if it was not visited before.
    mutating func insert(_ row: Int) -> Bool
}

/// Visited set for one query: one bit per row (125 KB per million rows), freed by `release()`.
private struct VisitBits: VisitedRows {
    private let words: UnsafeMutablePointer<UInt64>

    init(rows: Int) {
        let wordCount = max(1, (rows + 63) >> 6)
        words = .allocate(capacity: wordCount)
        words.initialize(repeating: 0, count: wordCount)
    }

    @inline(__always) mutating func insert(_ row: Int) -> Bool {
        let word = row >> 6
        let bit = UInt64(1) << UInt64(row & 63)
        let old = words[word]
        words[word] = old | bit
        return old & bit == 0
    }

    func release() { words.deallocate() }
}

/// Visited set reused across many searches during a build: a row is visited when its tag equals the
/// current generation, so clearing is O(1).
private struct VisitTags: VisitedRows {
    private var tags: [UInt32]
    private var generation: UInt32 = 0

    init(rows: Int) { tags = [UInt32](repeating: 0, count: max(1, rows)) }

    mutating func clear() {
        generation &+= 1
        if generation == 0 {
            for index in tags.indices { tags[index] = 0 }
            generation = 1
        }
    }

    @inline(__always) mutating func insert(_ row: Int) -> Bool {
        if tags[row] == generation { return false }
        tags[row] = generation
        return true
    }
}

/// SplitMix64 pseudo-random generator (deterministic for a seed).
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
