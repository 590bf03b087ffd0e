import Core
import Crypto
import Foundation
import Hummingbird

/// Admits scrapes of `/metrics` on the main port by the operator key or the metrics key (`--metrics-key`), so that
/// Prometheus need not hold the operator key. The metrics port (`--metrics-port`) serves without either.
struct MetricsAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let keyHashes: [SHA256.Digest]

    init(adminKey: String?, metricsKey: String?) {
        keyHashes = [adminKey, metricsKey].compactMap { $0 }.map { SHA256.hash(data: Data($0.utf8)) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !keyHashes.isEmpty else {
            throw RelayError.accessDenied(
                "Metrics are off on this port; start relay with a metrics key (RELAY_METRICS_KEY), an admin key or a metrics port"
            )
        }
        let presented = SHA256.hash(data: Data(try BearerToken.require(in: request).utf8))
        // Digests compare in constant time, so the comparison reveals nothing about how much of a guess was right.
        guard keyHashes.contains(presented) else { throw RelayError.unauthorized("Invalid metrics key") }
        return try await next(request, context)
    }
}
