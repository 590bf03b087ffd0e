public import CoreMetrics
public import Foundation
import Metrics
import Synchronization

/// Background jobs: the queue as every instance sees it (refreshed from the database when scraped and sampled), the
/// jobs this instance runs, and how they end.
public final class JobMetrics: Sendable {
    private let queued: Meter
    private let leased: Meter
    private let running: Meter
    private let completed: Counter
    private let retried: Counter
    private let failed: Counter
    private let counts = Mutex((running: 0, failed: 0))

    public init(factory: any MetricsFactory) {
        queued = Meter(label: "relay_jobs_queued", factory: factory)
        leased = Meter(label: "relay_jobs_leased", factory: factory)
        running = Meter(label: "relay_jobs_running", factory: factory)
        completed = Counter(label: "relay_jobs_completed_total", factory: factory)
        retried = Counter(label: "relay_jobs_retried_total", factory: factory)
        failed = Counter(label: "relay_jobs_failed_total", factory: factory)
    }

    public static let disabled = JobMetrics(factory: NOOPMetricsHandler.instance)

    /// Jobs this instance runs now.
    public var runningHere: Int { counts.withLock { $0.running } }
    /// Jobs this instance gave up on (their documents ended in `error`) since it started.
    public var failedHere: Int { counts.withLock { $0.failed } }

    /// Sets the queue's gauges from the database: jobs waiting, and jobs under a live lease (running on some instance).
    public func refresh(from jobs: JobStore, at date: Date) async throws -> JobStore.Counts {
        let counts = try await jobs.counts(at: date)
        queued.set(counts.queued)
        leased.set(counts.leased)
        return counts
    }

    func started() {
        counts.withLock { $0.running += 1 }
        running.increment()
    }

    func ended(_ outcome: Outcome) {
        counts.withLock { counts in
            counts.running -= 1
            if outcome == .failed { counts.failed += 1 }
        }
        running.decrement()
        switch outcome {
        case .completed: completed.increment()
        case .retried: retried.increment()
        case .failed: failed.increment()
        case .abandoned: break
        }
    }

    enum Outcome {
        case completed, retried, failed, abandoned
    }
}
