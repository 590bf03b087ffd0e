import Core
import Foundation
import Hummingbird
import PluginHost
import Tenancy

/// `GET /admin/api/status`: what the operator's status page draws: the last hour of traffic step by step (rate,
/// latency percentiles, error rates, model tokens), the busiest workspaces, this instance's plugin processes, and the
/// job queue. Guarded by the admin key, as the rest of the operator API.
struct StatusController {
    /// Workspaces listed, busiest first.
    static let busiestCount = 10
    let services: RelayServices

    struct StatusBody: ResponseCodableBody {
        let windowSeconds: Int
        let stepSeconds: Int
        let series: SeriesBody
        let busiestWorkspaces: [WorkspaceBody]
        let plugins: [PluginBody]
        let jobs: JobsBody

        enum CodingKeys: String, CodingKey {
            case windowSeconds = "window_seconds"
            case stepSeconds = "step_seconds"
            case series
            case busiestWorkspaces = "busiest_workspaces"
            case plugins, jobs
        }
    }

    struct SeriesBody: Codable {
        let timestamps: [Int]
        let requestsPerSecond: [Double]
        let p50: [Double]
        let p95: [Double]
        let p99: [Double]
        /// Fractions of each step's requests answered 5xx, then 4xx.
        let errorRate: [Double]
        let clientErrorRate: [Double]
        let inputTokens: [Int]
        let outputTokens: [Int]

        enum CodingKeys: String, CodingKey {
            case timestamps
            case requestsPerSecond = "requests_per_second"
            case p50 = "p50_ms"
            case p95 = "p95_ms"
            case p99 = "p99_ms"
            case errorRate = "error_rate"
            case clientErrorRate = "client_error_rate"
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    struct WorkspaceBody: Codable {
        let workspaceID: String
        let name: String
        let requests: Int
        let tokens: Int

        enum CodingKeys: String, CodingKey {
            case workspaceID = "workspace_id"
            case name, requests, tokens
        }
    }

    struct PluginBody: Codable {
        let installID: String
        let pluginID: String
        let workspaceID: String
        let sandboxLevel: String
        let running: Bool

        enum CodingKeys: String, CodingKey {
            case installID = "install_id"
            case pluginID = "plugin_id"
            case workspaceID = "workspace_id"
            case sandboxLevel = "sandbox_level"
            case running
        }
    }

    /// Queued and running: the whole queue, every instance's workers; failed: jobs this instance gave up on since it
    /// started.
    struct JobsBody: Codable {
        let queued: Int
        let running: Int
        let failed: Int
    }

    func addRoutes(to group: RouterGroup<RelayRequestContext>) {
        group.get("status") { _, _ in try await status() }
    }

    func status() async throws -> StatusBody {
        let history = services.metrics.history
        let series = history.series()
        let queue = try await services.jobWorker.refreshQueueMetrics()
        return StatusBody(
            windowSeconds: Int(StatusHistory.window), stepSeconds: Int(history.step.components.seconds),
            series: SeriesBody(
                timestamps: series.timestamps, requestsPerSecond: series.requestsPerSecond, p50: series.p50, p95: series.p95,
                p99: series.p99, errorRate: series.errorRate, clientErrorRate: series.clientErrorRate, inputTokens: series.inputTokens,
                outputTokens: series.outputTokens
            ),
            busiestWorkspaces: try await busiest(series.workspaces),
            plugins: try await plugins(),
            jobs: JobsBody(queued: queue.queued, running: queue.leased, failed: services.metrics.jobs.failedHere)
        )
    }

    private func busiest(_ totals: [WorkspaceID: TrafficMetrics.WorkspaceTotals]) async throws -> [WorkspaceBody] {
        let ranked = totals.sorted { lhs, rhs in
            (lhs.value.requests, lhs.value.tokens, rhs.key.description) > (rhs.value.requests, rhs.value.tokens, lhs.key.description)
        }
        var bodies: [WorkspaceBody] = []
        for (workspace, totals) in ranked.prefix(Self.busiestCount) {
            let name = try await services.workspaces.find(workspace)?.name ?? ""
            bodies.append(WorkspaceBody(workspaceID: workspace.description, name: name, requests: totals.requests, tokens: totals.tokens))
        }
        return bodies
    }

    /// This instance's plugin processes. A process whose launcher has not reported yet shows the configured minimum:
    /// the launcher refuses to run a plugin under less.
    private func plugins() async throws -> [PluginBody] {
        var bodies: [PluginBody] = []
        let processes = await services.plugins.supervisor.processes()
        for process in processes.sorted(by: { $0.install.description < $1.install.description }) {
            let install = try? await services.plugins.install(process.install, in: process.workspace)
            bodies.append(
                PluginBody(
                    installID: process.install.description, pluginID: install?.install.pluginID ?? "",
                    workspaceID: process.workspace.description,
                    sandboxLevel: (process.level ?? services.configuration.pluginSandboxMinimum).rawValue, running: process.isRunning
                )
            )
        }
        return bodies
    }
}
