/// Exact nearest-neighbour search over unit vectors: the dot product is the cosine.
enum VectorMath {
    static func normalized(_ vector: [Float]) -> [Float] {
        var sum: Float = 0
        for value in vector { sum += value * value }
        guard sum > 0 else { return vector }
        let scale = 1 / sum.squareRoot()
        return vector.map { $0 * scale }
    }

    /// The `k` of `rows` of `matrix` (row-major, `dimensions` wide) most similar to `query`, best first, as (row, score).
    static func nearest(_ query: [Float], in matrix: [Float], dimensions: Int, rows: some Sequence<Int>, k: Int) -> [(row: Int, score: Float)] {
        guard k > 0, dimensions > 0, query.count == dimensions else { return [] }
        var best: [(row: Int, score: Float)] = []
        best.reserveCapacity(k + 1)
        var floor = -Float.infinity
        matrix.withUnsafeBufferPointer { values in
            query.withUnsafeBufferPointer { query in
                let wide = dimensions & ~7
                for row in rows {
                    let base = values.baseAddress! + row * dimensions
                    var sum = SIMD8<Float>()
                    var index = 0
                    while index < wide {
                        let a = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD8<Float>.self)
                        let b = UnsafeRawPointer(query.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
                        sum += a * b
                        index += 8
                    }
                    var score = sum.sum()
                    while index < dimensions {
                        score += base[index] * query[index]
                        index += 1
                    }
                    guard best.count < k || score > floor else { continue }
                    // Kept sorted, best first; k is small (at most a few hundred).
                    let position = best.firstIndex { $0.score < score } ?? best.count
                    best.insert((row, score), at: position)
                    if best.count > k { best.removeLast() }
                    if best.count == k { floor = best[k - 1].score }
                }
            }
        }
        return best
    }

    /// `nearest` split across `parts` tasks for a large matrix, merged.
    /// `only`: the rows that may be returned (a metadata filter's), in order; `nil` for all.
    static func nearest(
        _ query: [Float], in matrix: [Float], dimensions: Int, count: Int, k: Int, parts: Int, only: [Int]? = nil
    ) async -> [(row: Int, score: Float)] {
        let total = only?.count ?? count
        guard parts > 1, total > 20_000 else {
            if let only { return nearest(query, in: matrix, dimensions: dimensions, rows: only, k: k) }
            return nearest(query, in: matrix, dimensions: dimensions, rows: 0..<count, k: k)
        }
        let size = (total + parts - 1) / parts
        return await withTaskGroup(of: [(row: Int, score: Float)].self) { group in
            for start in stride(from: 0, to: total, by: size) {
                let end = min(start + size, total)
                group.addTask {
                    if let only { return nearest(query, in: matrix, dimensions: dimensions, rows: only[start..<end], k: k) }
                    return nearest(query, in: matrix, dimensions: dimensions, rows: start..<end, k: k)
                }
            }
            var merged: [(row: Int, score: Float)] = []
            for await part in group { merged += part }
            return Array(merged.sorted { $0.score > $1.score }.prefix(k))
        }
    }

    static func dot(_ a: ArraySlice<Float>, _ b: [Float]) -> Float {
        var sum: Float = 0
        for (x, y) in zip(a, b) { sum += x * y }
        return sum
    }
}
