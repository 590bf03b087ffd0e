/// How Relay talks to upstream model servers: operator settings, not constants.
public struct UpstreamPolicy: Sendable {
    /// Longest wait for a TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Longest silence while waiting for the next bytes of an answer.
    public var readTimeout: Duration
    /// Retries of a request that failed before any of its answer arrived (unreachable, 5xx); 0 to never retry.
    public var retries: Int
    /// The first retry waits this long, each further one twice as long (with up to 25 % jitter).
    public var backoff: Duration
    /// Most HTTP/1.1 connections kept open to one upstream host. A streamed answer holds its connection to the end, so
    /// this bounds the streams in flight to one host; async-http-client's default of 8 would queue the ninth.
    public var connectionsPerHost: Int
    /// Whether endpoint URLs in provider credentials may name private and loopback addresses (a model server on the
    /// operator's network); link-local and metadata addresses are refused whatever this says.
    public var allowsPrivateEndpoints: Bool

    public init(
        connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60), retries: Int = 2,
        backoff: Duration = .milliseconds(500), connectionsPerHost: Int = 10_000, allowsPrivateEndpoints: Bool = false
    ) {
        self.allowsPrivateEndpoints = allowsPrivateEndpoints
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.retries = retries
        self.backoff = backoff
        self.connectionsPerHost = connectionsPerHost
    }

    /// The wait before retry number `attempt` (1-based).
    func delay(beforeRetry attempt: Int) -> Duration {
        let base = backoff * (1 << min(attempt - 1, 10))
        return base + base * Double.random(in: 0..<0.25)
    }
}
