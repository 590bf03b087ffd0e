import Core
import Foundation
import ServiceLifecycle
import Synchronization

/// The last hour of this process's traffic for the operator's status page: a snapshot of ``TrafficMetrics``' totals
/// every step, each point of a series the difference between two snapshots. The series always ends with the step under
/// way (the totals now against the last snapshot), so a fresh server shows its first requests at once.
///
/// Wall-clock time, not the domain's injected clock: the page charts when things happened to this process.
final class StatusHistory: Service, Sendable {
    static let window: TimeInterval = 3_600

    struct Sample: Sendable {
        let time: Date
        let totals: TrafficMetrics.Snapshot
    }

    let traffic: TrafficMetrics
    let step: Duration
    private let samples: Mutex<[Sample]>

    init(traffic: TrafficMetrics, step: Duration, now: Date = Date()) {
        self.traffic = traffic
        self.step = step
        samples = Mutex([Sample(time: now, totals: traffic.snapshot())])
    }

    func run() async {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = clock.now + self.step
            while !Task.isCancelled {
                do { try await Task.sleep(until: next, clock: clock) } catch { return }
                self.sample()
                next += self.step
            }
        }
    }

    /// Takes a snapshot, and forgets those no series needs: one older than the window stays, as the first point's start.
    func sample(at date: Date = Date()) {
        let sample = Sample(time: date, totals: traffic.snapshot())
        samples.withLock { samples in
            samples.append(sample)
            let start = date.addingTimeInterval(-Self.window)
            if let firstInWindow = samples.firstIndex(where: { $0.time >= start }), firstInWindow > 1 {
                samples.removeFirst(firstInWindow - 1)
            }
        }
    }

    /// One point per step of the last hour, the step under way last.
    struct Series: Sendable {
        var timestamps: [Int] = []
        var requestsPerSecond: [Double] = []
        var p50: [Double] = []
        var p95: [Double] = []
        var p99: [Double] = []
        var errorRate: [Double] = []
        var clientErrorRate: [Double] = []
        var inputTokens: [Int] = []
        var outputTokens: [Int] = []
        /// Requests and tokens per workspace over the whole window.
        var workspaces: [WorkspaceID: TrafficMetrics.WorkspaceTotals] = [:]
    }

    func series(at now: Date = Date()) -> Series {
        let points = samples.withLock { $0 } + [Sample(time: now, totals: traffic.snapshot())]
        let start = now.addingTimeInterval(-Self.window)
        let first = points.firstIndex { $0.time >= start } ?? points.count - 1
        var series = Series()
        for index in max(1, first)..<points.count {
            let (from, to) = (points[index - 1], points[index])
            let requests = to.totals.requests - from.totals.requests
            let latencies = zip(to.totals.latencyCounts, from.totals.latencyCounts).map { $0 - $1 }
            // A step just begun would show a burst of one request as a huge rate; a second is the shortest span rated.
            let seconds = max(1, to.time.timeIntervalSince(from.time))
            series.timestamps.append(Int(from.time.timeIntervalSince1970.rounded(.down)))
            series.requestsPerSecond.append(Self.rounded(Double(requests) / seconds))
            series.p50.append(Self.percentile(0.50, of: latencies))
            series.p95.append(Self.percentile(0.95, of: latencies))
            series.p99.append(Self.percentile(0.99, of: latencies))
            series.errorRate.append(Self.fraction(to.totals.serverErrors - from.totals.serverErrors, of: requests))
            series.clientErrorRate.append(Self.fraction(to.totals.clientErrors - from.totals.clientErrors, of: requests))
            series.inputTokens.append(to.totals.inputTokens - from.totals.inputTokens)
            series.outputTokens.append(to.totals.outputTokens - from.totals.outputTokens)
        }
        let baseline = points[max(0, first - 1)].totals.workspaces
        for (workspace, totals) in points[points.count - 1].totals.workspaces {
            let before = baseline[workspace] ?? TrafficMetrics.WorkspaceTotals()
            let during = TrafficMetrics.WorkspaceTotals(requests: totals.requests - before.requests, tokens: totals.tokens - before.tokens)
            if during.requests > 0 || during.tokens > 0 { series.workspaces[workspace] = during }
        }
        return series
    }

    /// The `q` quantile of a step's latencies in milliseconds, interpolated within its bucket as Prometheus'
    /// `histogram_quantile` does; 0 for a step without requests.
    static func percentile(_ q: Double, of counts: [Int]) -> Double {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let bounds = MetricBuckets.latency
        let rank = q * Double(total)
        var below = 0
        for (index, count) in counts.enumerated() where count > 0 {
            if Double(below + count) >= rank {
                guard index < bounds.count else { return bounds[bounds.count - 1] * 1000 }
                let lower = index == 0 ? 0 : bounds[index - 1]
                let fraction = (rank - Double(below)) / Double(count)
                return rounded((lower + (bounds[index] - lower) * fraction) * 1000)
            }
            below += count
        }
        return bounds[bounds.count - 1] * 1000
    }

    private static func fraction(_ part: Int, of whole: Int) -> Double {
        whole > 0 ? rounded(Double(part) / Double(whole)) : 0
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
