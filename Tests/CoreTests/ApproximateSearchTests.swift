import Foundation
import Testing

@testable import Core

@Suite("Approximate vector search: the HNSW index against the exact scan")
struct ApproximateSearchTests {
    /// `count` unit vectors of `dimensions` around `clusters` random centres (as real embeddings cluster), seeded.
    static func clustered(count: Int, dimensions: Int, clusters: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let centres = (0..<clusters).map { _ in (0..<dimensions).map { _ in Float.random(in: -1...1, using: &generator) } }
        var values: [Float] = []
        values.reserveCapacity(count * dimensions)
        for row in 0..<count {
            let centre = centres[row % clusters]
            values += VectorMath.normalized(centre.map { $0 + Float.random(in: -0.4...0.4, using: &generator) })
        }
        return values
    }

    @Test("recall@10 against the exact scan is at least 0.95; a filter returns only allowed rows, k of them when there are k")
    func recallAndFilters() async throws {
        // Small enough for a debug build to index in about a second.
        let dimensions = 32
        let count = 1_500
        let values = Self.clustered(count: count, dimensions: dimensions, clusters: 30, seed: 7)
        let index = await HNSWIndex(vectors: values, dimensions: dimensions, count: count)
        #expect(index.count == count && index.unreachableRowCount() < count / 100)
        #expect(index.memoryBytes > count * dimensions * 4 && index.graphBytes > 0)
        let queries = Self.clustered(count: 50, dimensions: dimensions, clusters: 30, seed: 99)
        var found = 0
        for query in 0..<50 {
            let vector = Array(queries[query * dimensions..<(query + 1) * dimensions])
            let exact = Set(VectorMath.nearest(vector, in: values, dimensions: dimensions, rows: 0..<count, k: 10).map(\.row))
            let approximate = index.nearest(vector, k: 10, search: ApproximateIndex.searchBreadth)
            #expect(approximate.count == 10)
            #expect(approximate.map(\.score) == approximate.map(\.score).sorted(by: >))
            found += exact.intersection(approximate.map(\.row)).count
        }
        #expect(Double(found) / 500 >= 0.95, "recall@10 \(Double(found) / 500)")

        // Filtered: rows divisible by 7 only; every result allowed, and k of them.
        let vector = Array(queries[0..<dimensions])
        let filtered = index.nearest(vector, k: 10, search: 128) { $0 % 7 == 0 }
        #expect(filtered.count == 10 && filtered.allSatisfy { $0.row % 7 == 0 })
        let exactFiltered = VectorMath.nearest(vector, in: values, dimensions: dimensions, rows: stride(from: 0, to: count, by: 7), k: 10)
        #expect(Set(filtered.map(\.row)).intersection(exactFiltered.map(\.row)).count >= 9)
        // A filter that admits three rows gives those three.
        #expect(Set(index.nearest(vector, k: 10, search: 64) { [5, 500, 1_499].contains($0) }.map(\.row)) == [5, 500, 1_499])
        // Wrong input never traps.
        #expect(index.nearest([1, 2, 3], k: 10, search: 64).isEmpty)
        #expect(index.nearest(vector, k: 0, search: 64).isEmpty)
        let empty = await HNSWIndex(vectors: [], dimensions: dimensions, count: 10)
        #expect(empty.count == 0 && empty.nearest(vector, k: 3, search: 10).isEmpty)
    }

    @Test("the cache's index is checked for recall before it serves, and stands for the matrix it was built from")
    func checkedBeforeServing() async throws {
        let dimensions = 16
        let count = 600
        let values = Self.clustered(count: count, dimensions: dimensions, clusters: 20, seed: 3)
        let vectors = StoredVectors(
            segments: (0..<count).map { _ in SegmentID() }, documents: (0..<count).map { _ in DocumentID() },
            children: Array(repeating: nil, count: count), dimensions: dimensions, values: values)
        let approximate = ApproximateIndex()
        await approximate.build(vectors)
        guard case .ready(let index, let recall) = approximate.current else {
            Issue.record("not ready: \(approximate.current)")
            return
        }
        #expect(recall >= ApproximateIndex.minimumRecall && index.count == count)
        #expect(ApproximateIndex.recall(of: index, on: vectors) == recall)
    }
}

/// SplitMix64: the same numbers for the same seed, everywhere.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
