import Hummingbird
import PluginHost

/// `GET /health`: unauthenticated liveness with the running version, and the plugin sandbox: the configured minimum
/// and the levels this instance's plugin processes run under.
struct HealthController {
    static let version = "0.1.0"
    let plugins: PluginInstallService
    let minimumLevel: SandboxLevel

    struct HealthBody: ResponseCodableBody {
        let status: String
        let version: String
        let plugin_sandbox: PluginSandbox
    }

    struct PluginSandbox: Codable {
        let minimum_level: String
        /// The lowest level any running plugin has; `null` before any ran.
        let lowest_active_level: String?
        let processes_seen: Int
    }

    func addRoutes(to router: Router<RelayRequestContext>) {
        let (plugins, minimumLevel) = (self.plugins, self.minimumLevel)
        router.get("health") { _, _ in
            let reports = await plugins.supervisor.sandboxes()
            return HealthBody(
                status: "ok", version: Self.version,
                plugin_sandbox: PluginSandbox(
                    minimum_level: minimumLevel.rawValue, lowest_active_level: reports.map(\.level).min()?.rawValue,
                    processes_seen: reports.count
                )
            )
        }
    }
}
