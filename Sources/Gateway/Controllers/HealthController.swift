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
        let pluginSandbox: PluginSandbox

        enum CodingKeys: String, CodingKey {
            case status, version
            case pluginSandbox = "plugin_sandbox"
        }
    }

    struct PluginSandbox: Codable {
        let minimumLevel: String
        /// The lowest level any running plugin has; `null` before any ran.
        let lowestActiveLevel: String?
        let processesSeen: Int

        enum CodingKeys: String, CodingKey {
            case minimumLevel = "minimum_level"
            case lowestActiveLevel = "lowest_active_level"
            case processesSeen = "processes_seen"
        }
    }

    func addRoutes(to router: Router<RelayRequestContext>) {
        let (plugins, minimumLevel) = (self.plugins, self.minimumLevel)
        router.get("health") { _, _ in
            let reports = await plugins.supervisor.sandboxes()
            return HealthBody(
                status: "ok", version: Self.version,
                pluginSandbox: PluginSandbox(
                    minimumLevel: minimumLevel.rawValue, lowestActiveLevel: reports.map(\.level).min()?.rawValue,
                    processesSeen: reports.count
                )
            )
        }
    }
}
