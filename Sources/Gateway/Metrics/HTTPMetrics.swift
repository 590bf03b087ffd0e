import Core
import CoreMetrics
import HTTPTypes
import Metrics
import Synchronization

/// Requests by route template (Hummingbird's matched path, never the raw path, so ids do not become series), method
/// and status class; their latency by route and method; the event streams open now.
final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        let route: String
        let method: String
        let statusClass: Int
    }

    private struct Instruments {
        let requests: Counter
        let duration: CoreMetrics.Timer
    }

    let activeStreams: Meter
    private let traffic: TrafficMetrics
    private let factory: any MetricsFactory
    private let instruments = Mutex<[Key: Instruments]>([:])

    init(factory: any MetricsFactory, traffic: TrafficMetrics) {
        self.factory = factory
        self.traffic = traffic
        activeStreams = Meter(label: "relay_sse_streams_active", factory: factory)
    }

    /// Counts one answered request; `route` is the matched route's template (`NotFound` for none).
    func record(route: String, method: HTTPRequest.Method, status: Int, duration: Duration, workspace: WorkspaceID?) {
        let key = Key(route: route, method: Self.label(of: method), statusClass: status / 100)
        let instruments = instruments.withLock { cache in
            if let known = cache[key] { return known }
            let made = Instruments(
                requests: Counter(
                    label: "relay_http_requests_total",
                    dimensions: [("route", key.route), ("method", key.method), ("status_class", "\(key.statusClass)xx")], factory: factory
                ),
                duration: CoreMetrics.Timer(
                    label: "relay_http_request_duration_seconds", dimensions: [("route", key.route), ("method", key.method)],
                    factory: factory
                )
            )
            cache[key] = made
            return made
        }
        instruments.requests.increment()
        instruments.duration.record(duration: duration)
        let (seconds, attoseconds) = duration.components
        traffic.recordRequest(status: status, seconds: Double(seconds) + Double(attoseconds) * 1e-18, workspace: workspace)
    }

    /// Methods a route can match; anything else (an unknown path may come with any method) is `other`.
    private static func label(of method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .post, .put, .patch, .delete, .head, .options: method.rawValue
        default: "other"
        }
    }
}
