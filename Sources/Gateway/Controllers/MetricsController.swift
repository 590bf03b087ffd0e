import Core
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// `GET /metrics`: the server's instruments in Prometheus' text format. The job queue's gauges are read from the
/// database at each scrape, since other instances' workers change it too.
struct MetricsController {
    let metrics: RelayMetrics
    let jobs: JobWorker

    func addRoutes(to router: some RouterMethods<RelayRequestContext>) {
        let (metrics, jobs) = (self.metrics, self.jobs)
        router.get("metrics") { _, context in
            do {
                _ = try await jobs.refreshQueueMetrics()
            } catch {
                context.logger.warning("Job queue unavailable for metrics", metadata: ["error": "\(RelayError.logDescription(of: error))"])
            }
            var headers = HTTPFields()
            headers[.contentType] = RelayMetrics.contentType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
    }
}
