import Core
import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Measures each request once, when its answer has been written (a streamed one at its end), and reports it twice:
/// to the request metrics, and as the access-log line (request id, workspace, route template, method, status,
/// duration). Just inside `RequestIDMiddleware`, so that errors, already answered by `ErrorMiddleware`, count too.
///
/// The line names the route template rather than the path, and nothing of the headers or body: no key, token or
/// password can reach the log through it.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = RelayRequestContext
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Only what `ErrorMiddleware` could not answer gets here; Hummingbird answers it 500 (or its own status).
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            finish(request, context, status: status, after: .now - start)
            throw error
        }
        let status = response.status.code
        // An answer already in hand is as good as written; a streamed one is measured when its stream ends.
        guard response.body.contentLength == nil else {
            finish(request, context, status: status, after: .now - start)
            return response
        }
        let isEventStream = response.headers[.contentType]?.hasPrefix(EventStream.mediaType) == true
        let streamed = response.body
        response.body = ResponseBody { writer in
            if isEventStream { metrics.activeStreams.increment() }
            defer {
                if isEventStream { metrics.activeStreams.decrement() }
                finish(request, context, status: status, after: .now - start)
            }
            try await streamed.write(writer)
        }
        return response
    }

    private func finish(_ request: Request, _ context: Context, status: Int, after duration: Duration) {
        let route = context.endpointPath ?? "NotFound"
        let workspace = context.observation.workspace
        metrics.record(route: route, method: request.method, status: status, duration: duration, workspace: workspace)
        let (seconds, attoseconds) = duration.components
        // Milliseconds to three decimals.
        let milliseconds = ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
        var metadata: Logger.Metadata = [
            "http.route": "\(route)", "http.method": "\(request.method.rawValue)", "http.status": .stringConvertible(status),
            "duration_ms": .stringConvertible(milliseconds),
        ]
        if let workspace { metadata["workspace.id"] = "\(workspace)" }
        context.logger.info("Request", metadata: metadata)
    }
}
