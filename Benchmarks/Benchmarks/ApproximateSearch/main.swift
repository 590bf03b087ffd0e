// Approximate (HNSW) against exact semantic search over synthetic clustered unit vectors of 384 dimensions; prints
// every figure beside the exact scan measured in the same run. Usage: ApproximateSearch [N=100000] [parallelism=2] [m=16] [efConstruction=100]
import Core

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments
func argument(_ index: Int, _ fallback: Int) -> Int {
    arguments.count > index ? Int(arguments[index].replacingOccurrences(of: "_", with: "")) ?? fallback : fallback
}
extension String {
    func replacingOccurrences(of a: String, with b: String) -> String { split(separator: Character(a)).joined(separator: b) }
}

let count = argument(1, 100_000)
let parallelism = argument(2, 2)
let m = argument(3, 16)
let efConstruction = argument(4, 100)
let dimensions = 384
let clusterCount = 1_000
let queryCount = 200
let k = 10

/// xoshiro256** generator.
struct Random {
    var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    init(seed: UInt64) {
        var x = seed
        func mix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = mix()
        s1 = mix()
        s2 = mix()
        s3 = mix()
    }
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    /// Standard normal (Box–Muller, one of the pair).
    mutating func gaussian() -> Float {
        let u = max(unit(), 1e-300)
        let v = unit()
        return Float(sqrt(-2 * log(u)) * cos(2 * Double.pi * v))
    }
}

func normalise(_ v: inout ArraySlice<Float>) {
    var norm: Float = 0
    for x in v { norm += x * x }
    let scale = 1 / max(norm.squareRoot(), 1e-12)
    for i in v.indices { v[i] *= scale }
}

// Cluster centres: Gaussian, normalised. Each cluster has its own spread (noise norm 0.6–1.2 relative to
// the unit centre, i.e. cosine to centre 0.64–0.86), so neighbourhoods have varying density.
var centreRandom = Random(seed: 42)
var centres = [Float](repeating: 0, count: clusterCount * dimensions)
var spreads = [Float](repeating: 0, count: clusterCount)
for c in 0..<clusterCount {
    for d in 0..<dimensions { centres[c * dimensions + d] = centreRandom.gaussian() }
    normalise(&centres[(c * dimensions)..<((c + 1) * dimensions)])
    spreads[c] = Float(0.6 + 0.6 * centreRandom.unit())
}

/// Fills rows of a matrix with clustered points, chunk-seeded so it can run in parallel deterministically.
func clusteredPoints(rows: Int, seed: UInt64, centres: [Float], spreads: [Float]) async -> [Float] {
    let chunk = 10_000
    let chunks = (rows + chunk - 1) / chunk
    var matrix = [Float](repeating: 0, count: rows * dimensions)
    let parts = await withTaskGroup(of: (Int, [Float]).self) { group in
        var parts = [[Float]](repeating: [], count: chunks)
        var next = 0
        func add(_ group: inout TaskGroup<(Int, [Float])>) {
            let index = next
            next += 1
            group.addTask {
                var random = Random(seed: seed &+ UInt64(index) &* 7919)
                let n = min(chunk, rows - index * chunk)
                var part = [Float](repeating: 0, count: n * dimensions)
                for r in 0..<n {
                    let c = Int(random.next() % UInt64(clusterCount))
                    let sigma = spreads[c] / Float(dimensions).squareRoot()
                    for d in 0..<dimensions {
                        part[r * dimensions + d] = centres[c * dimensions + d] + sigma * random.gaussian()
                    }
                    normalise(&part[(r * dimensions)..<((r + 1) * dimensions)])
                }
                return (index, part)
            }
        }
        for _ in 0..<min(2, chunks) { add(&group) }
        while let (index, part) = await group.next() {
            parts[index] = part
            if next < chunks { add(&group) }
        }
        return parts
    }
    for (index, part) in parts.enumerated() {
        matrix.replaceSubrange((index * chunk * dimensions)..<(index * chunk * dimensions + part.count), with: part)
    }
    return matrix
}

/// Exact top-k scan, the same technique as `VectorMath.nearest` (SIMD8 unaligned loads, top-k by insertion).
func exactNearest(
    _ query: [Float], in matrix: [Float], rows: Range<Int>, k: Int,
    allowed: ((Int) -> Bool)? = nil
) -> [(row: Int, score: Float)] {
    var best: [(row: Int, score: Float)] = []
    best.reserveCapacity(k + 1)
    query.withUnsafeBytes { q in
        matrix.withUnsafeBytes { all in
            for row in rows {
                if let allowed, !allowed(row) { continue }
                var sum0 = SIMD8<Float>()
                var sum1 = SIMD8<Float>()
                let base = row * dimensions * 4
                var offset = 0
                while offset < dimensions * 4 {
                    sum0 +=
                        q.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                        * all.loadUnaligned(fromByteOffset: base + offset, as: SIMD8<Float>.self)
                    sum1 +=
                        q.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
                        * all.loadUnaligned(fromByteOffset: base + offset + 32, as: SIMD8<Float>.self)
                    offset += 64
                }
                let score = (sum0 + sum1).sum()
                if best.count < k || score > best[best.count - 1].score {
                    var i = best.count
                    best.append((row, score))
                    while i > 0 && best[i - 1].score < score {
                        best[i] = best[i - 1]
                        i -= 1
                    }
                    best[i] = (row, score)
                    if best.count > k { best.removeLast() }
                }
            }
        }
    }
    return best
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
}
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
func format(_ x: Double, _ digits: Int = 2) -> String {
    var s = String(Int((x * pow(10, Double(digits))).rounded()))
    while s.count <= digits { s = "0" + s }
    s.insert(".", at: s.index(s.endIndex, offsetBy: -digits))
    return s
}

let clock = ContinuousClock()
print(
    "N=\(count) dims=\(dimensions) clusters=\(clusterCount) queries=\(queryCount) k=\(k) M=\(m) efConstruction=\(efConstruction) parallelism=\(parallelism)"
)
var start = clock.now
let data = await clusteredPoints(rows: count, seed: 1, centres: centres, spreads: spreads)
let queries = await clusteredPoints(rows: queryCount, seed: 999_999_937, centres: centres, spreads: spreads)
print("data generated in \(format(milliseconds(clock.now - start) / 1000, 1)) s")

start = clock.now
let index = await HNSWIndex(
    vectors: data, dimensions: dimensions, count: count, neighbours: m,
    construction: efConstruction, seed: 1, parallelism: parallelism)
let buildSeconds = milliseconds(clock.now - start) / 1000
print("build: \(format(buildSeconds, 1)) s (\(Int(Double(count) / buildSeconds)) vectors/s)")
print("rows unreachable on level 0 from the entry point: \(index.unreachableRowCount())")
let bytesPerVector = Double(index.memoryBytes) / Double(count)
print(
    "memory: \(format(bytesPerVector, 1)) B/vector total (graph \(format(Double(index.graphBytes) / Double(count), 1)) B/vector), \(format(bytesPerVector, 0)) MB per million, \(format(Double(index.memoryBytes) / 1e6, 0)) MB held"
)

// Filter passing ~10% of rows (hash of the row number).
var mask = [Bool](repeating: false, count: count)
for row in 0..<count { mask[row] = (UInt64(row) &* 0x9E37_79B9_7F4A_7C15) >> 60 < 2 && (row % 8 != 3) }
let allowedCount = mask.lazy.filter { $0 }.count
let filter: (Int) -> Bool = { mask[$0] }
print("filter passes \(allowedCount) rows (\(format(100 * Double(allowedCount) / Double(count), 1))%)")

func qvec(_ i: Int) -> [Float] { Array(queries[(i * dimensions)..<((i + 1) * dimensions)]) }

var truth: [[Int]] = []
var filteredTruth: [[Int]] = []
var exactTimes: [Double] = []
var filteredExactTimes: [Double] = []
for i in 0..<queryCount {
    let q = qvec(i)
    var t = clock.now
    truth.append(exactNearest(q, in: data, rows: 0..<count, k: k).map(\.row))
    exactTimes.append(milliseconds(clock.now - t))
    t = clock.now
    filteredTruth.append(exactNearest(q, in: data, rows: 0..<count, k: k, allowed: filter).map(\.row))
    filteredExactTimes.append(milliseconds(clock.now - t))
}
print(
    "exact scan (1 thread): p50 \(format(percentile(exactTimes, 0.5), 3)) ms, p99 \(format(percentile(exactTimes, 0.99), 3)) ms; with 10% filter p50 \(format(percentile(filteredExactTimes, 0.5), 3)) ms"
)

print("")
print("| filter | ef | p50 ms | p99 ms | p50 speed-up over the exact scan | recall@10 | min recall |")
print("|---|---|---|---|---|---|---|")
for filtered in [false, true] {
    for ef in [32, 64, 128, 200, 400, 800] {
        var times: [Double] = []
        var recallSum = 0.0
        var minRecall = 1.0
        for i in 0..<queryCount {
            let q = qvec(i)
            let t = clock.now
            let found = index.nearest(q, k: k, search: ef, where: filtered ? filter : nil)
            times.append(milliseconds(clock.now - t))
            let expected = Set(filtered ? filteredTruth[i] : truth[i])
            let hits = found.filter { expected.contains($0.row) }.count
            let recall = Double(hits) / Double(max(1, expected.count))
            if filtered, found.contains(where: { !mask[$0.row] }) { print("FILTER VIOLATION") }
            recallSum += recall
            minRecall = min(minRecall, recall)
        }
        let baseline = percentile(filtered ? filteredExactTimes : exactTimes, 0.5)
        let speedUp = baseline / max(percentile(times, 0.5), 0.000_001)
        print(
            "| \(filtered ? "10%" : "none") | \(ef) | \(format(percentile(times, 0.5), 3)) | \(format(percentile(times, 0.99), 3)) | \(format(speedUp, 1))× | \(format(recallSum / Double(queryCount), 4)) | \(format(minRecall, 2)) |"
        )
    }
}

// Where does the exact scan cross ~10 ms? Measure p50 on prefixes of the data and interpolate linearly.
print("")
var sizes = [10_000, 25_000, 50_000, 100_000, 200_000, 500_000, 1_000_000].filter { $0 <= count }
if !sizes.contains(count) { sizes.append(count) }
var nsPerRow: [Double] = []
for n in sizes {
    var times: [Double] = []
    for i in 0..<50 {
        let t = clock.now
        _ = exactNearest(qvec(i), in: data, rows: 0..<n, k: k)
        times.append(milliseconds(clock.now - t))
    }
    let p50 = percentile(times, 0.5)
    nsPerRow.append(p50 * 1e6 / Double(n))
    print("exact scan N=\(n): p50 \(format(p50, 3)) ms (\(format(p50 * 1e6 / Double(n), 1)) ns/row)")
}
let largest = nsPerRow.last ?? 1
print("exact scan reaches 10 ms at N ≈ \(Int(10e6 / largest)) (using \(format(largest, 1)) ns/row measured at N=\(sizes.last ?? 0))")
