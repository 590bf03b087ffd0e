import Benchmark
import Core
import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

/// What recording a request's metrics costs, against an atomic increment measured in the same run: one observation
/// of Relay's latency histogram (swift-prometheus' `DurationHistogram` behind a swift-metrics `Timer`, with Relay's
/// buckets), and a request's whole recording (its counter, that histogram and the status page's totals). The budget is
/// under 1 µs per request. The last benchmark prints the figures and ratios to standard error.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(2))

    func instruments() -> (CoreMetrics.Counter, CoreMetrics.Timer, TrafficMetrics) {
        var factory = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        factory.defaultDurationHistogramBuckets = MetricBuckets.latencyDurations
        let dimensions = [("route", "/v1/chat-messages"), ("method", "POST")]
        return (
            CoreMetrics.Counter(label: "relay_http_requests_total", dimensions: dimensions + [("status_class", "2xx")], factory: factory),
            CoreMetrics.Timer(label: "relay_http_request_duration_seconds", dimensions: dimensions, factory: factory),
            TrafficMetrics(factory: factory)
        )
    }
    // Latencies spread over the buckets, as a server's are: from 0.5 ms to about 30 s.
    let latencies: [Duration] = (0..<1024).map { .nanoseconds(Int64(500_000 * pow(1.011, Double($0)))) }
    let seconds = latencies.map { Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18 }
    let workspace = WorkspaceID()

    Benchmark("baseline: atomic counter increment", configuration: .init(scalingFactor: .mega)) { benchmark in
        let counter = Atomic(0)
        for _ in benchmark.scaledIterations { counter.wrappingAdd(1, ordering: .relaxed) }
        blackHole(counter.load(ordering: .relaxed))
    }

    Benchmark("histogram observation (Relay's latency buckets)", configuration: .init(scalingFactor: .mega)) { benchmark in
        let (_, histogram, _) = instruments()
        for index in benchmark.scaledIterations { histogram.record(duration: latencies[index & 1023]) }
    }

    Benchmark("a request's recording: counter, histogram, status totals", configuration: .init(scalingFactor: .mega)) { benchmark in
        let (counter, histogram, traffic) = instruments()
        for index in benchmark.scaledIterations {
            let latency = latencies[index & 1023]
            counter.increment()
            histogram.record(duration: latency)
            traffic.recordRequest(status: 200, seconds: seconds[index & 1023], workspace: workspace)
        }
    }

    Benchmark("ratio: 1M histogram observations vs 1M atomic increments", configuration: .init(warmupIterations: 0, maxIterations: 1)) {
        _ in
        let count = 1_000_000
        let clock = ContinuousClock()
        let counter = Atomic(0)
        let (requests, histogram, traffic) = instruments()
        let baseline = clock.measure {
            for _ in 0..<count { counter.wrappingAdd(1, ordering: .relaxed) }
        }
        let observations = clock.measure {
            for index in 0..<count { histogram.record(duration: latencies[index & 1023]) }
        }
        let recordings = clock.measure {
            for index in 0..<count {
                let latency = latencies[index & 1023]
                requests.increment()
                histogram.record(duration: latency)
                traffic.recordRequest(status: 200, seconds: seconds[index & 1023], workspace: workspace)
            }
        }
        blackHole(counter.load(ordering: .relaxed))
        func nanoseconds(_ duration: Duration) -> Double {
            (Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) * 1e-9) / Double(count)
        }
        let (atomic, observation, recording) = (nanoseconds(baseline), nanoseconds(observations), nanoseconds(recordings))
        let report = String(
            format: "metrics cost per operation: atomic increment %.1f ns; histogram observation %.1f ns (%.1f×); "
                + "a request's recording %.1f ns (%.1f×); budget 1000 ns\n",
            atomic, observation, observation / atomic, recording, recording / atomic
        )
        FileHandle.standardError.write(Data(report.utf8))
    }
}
