public import AsyncHTTPClient
import NIOCore
import NIOPosix
public import ServiceLifecycle

/// The HTTP client every built-in provider shares, with the operator's timeouts; a service, so that it is shut down
/// (and its connections closed) when the server stops.
public final class UpstreamClient: Service, Sendable {
    public let http: HTTPClient
    public let policy: UpstreamPolicy
    /// Where provider endpoints may point, checked before every request.
    let endpoints: CheckedDestinations

    public init(policy: UpstreamPolicy) {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: Self.timeAmount(policy.connectTimeout), read: Self.timeAmount(policy.readTimeout))
        )
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: policy.connectionsPerHost)
        self.http = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
        self.policy = policy
        self.endpoints = CheckedDestinations(DestinationPolicy(allowsPrivate: policy.allowsPrivateEndpoints))
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await http.shutdown()
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
