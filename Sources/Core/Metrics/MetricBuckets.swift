/// Bucket bounds shared by Relay's latency histograms, so that Prometheus' quantiles and the status page's agree.
public enum MetricBuckets {
    /// Seconds, 1 ms to 60 s in 1-2-5 steps: fine enough to interpolate p50, p95 and p99 within one bucket.
    public static let latency: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60]

    /// The same bounds as durations, for `PrometheusMetricsFactory`'s timers.
    public static var latencyDurations: [Duration] { latency.map { .microseconds(Int64(($0 * 1_000_000).rounded())) } }

    /// The index of the first bucket whose bound is at least `seconds`; `latency.count` for slower than the last bound.
    @inlinable
    public static func latencyBucket(of seconds: Double) -> Int {
        var index = 0
        while index < latency.count, latency[index] < seconds { index += 1 }
        return index
    }
}

/// Bounds the values of one label: the first `limit` distinct values seen keep their own series, later ones share
/// `other`, so that model names or workspace ids chosen by users cannot grow a scrape without end.
struct BoundedLabels<Key: Hashable & Sendable>: Sendable {
    let limit: Int
    private(set) var known: Set<Key> = []

    init(limit: Int) { self.limit = limit }

    /// Whether `key` has (or now gets) a series of its own.
    mutating func admits(_ key: Key) -> Bool {
        if known.contains(key) { return true }
        guard known.count < limit else { return false }
        known.insert(key)
        return true
    }
}
