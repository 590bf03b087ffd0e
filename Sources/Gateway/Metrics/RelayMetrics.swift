import Core
import CoreMetrics
import Metrics
import PluginHost
import Prometheus
import RateLimit

/// Every instrument of one server, on a Prometheus registry of its own: tests run dozens of servers in one process, so
/// nothing goes through the global `MetricsSystem`. Instruments are made from this registry's factory and handed to
/// what records them; `GET /metrics` renders the registry, and the status page reads ``history``.
struct RelayMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let traffic: TrafficMetrics
    let http: HTTPMetrics
    let modelCalls: ModelCallMetrics
    let jobs: JobMetrics
    let database: DatabaseMetrics
    let plugins: PluginMetrics
    let rateLimits: RateLimitMetrics
    let history: StatusHistory

    /// `statusStep`: one point of the status page's series per step.
    init(statusStep: Duration) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = MetricBuckets.latencyDurations
        let traffic = TrafficMetrics(factory: factory)
        self.registry = registry
        self.traffic = traffic
        http = HTTPMetrics(factory: factory, traffic: traffic)
        modelCalls = ModelCallMetrics(factory: factory, traffic: traffic)
        jobs = JobMetrics(factory: factory)
        database = DatabaseMetrics(factory: factory)
        plugins = PluginMetrics(factory: factory)
        rateLimits = RateLimitMetrics(factory: factory)
        history = StatusHistory(traffic: traffic, step: statusStep)
    }

    /// The registry in Prometheus' text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}

/// Requests refused by a rate limit, by the window that refused them and whose budget it was (workspace, app, account).
struct RateLimitMetrics: Sendable {
    private let factory: any MetricsFactory
    private let counters: [String: CoreMetrics.Counter]

    init(factory: any MetricsFactory) {
        self.factory = factory
        var counters: [String: CoreMetrics.Counter] = [:]
        for window in RateWindow.allCases {
            for holder in ["workspace", "app", "account"] {
                counters["\(window.rawValue) \(holder)"] = Self.counter(window: window.rawValue, holder: holder, factory: factory)
            }
        }
        self.counters = counters
    }

    func refused(_ decision: RateLimitDecision) {
        guard let budget = decision.refusingBudget else { return }
        let (window, holder) = (budget.rule.window.rawValue, budget.rule.holder)
        (counters["\(window) \(holder)"] ?? Self.counter(window: window, holder: holder, factory: factory)).increment()
    }

    private static func counter(window: String, holder: String, factory: any MetricsFactory) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "relay_rate_limit_refusals_total", dimensions: [("window", window), ("holder", holder)], factory: factory)
    }
}
