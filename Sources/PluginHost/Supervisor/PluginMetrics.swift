public import Core
public import CoreMetrics
import Metrics

/// The supervisor's processes: how many run, how many started and crashed, and how long calls take (start-up included
/// when a call had to start its process).
public struct PluginMetrics: Sendable {
    let running: Meter
    let starts: Counter
    let crashes: Counter
    let calls: CoreMetrics.Timer

    public init(factory: any MetricsFactory) {
        running = Meter(label: "relay_plugin_processes_running", factory: factory)
        starts = Counter(label: "relay_plugin_process_starts_total", factory: factory)
        crashes = Counter(label: "relay_plugin_process_crashes_total", factory: factory)
        calls = CoreMetrics.Timer(label: "relay_plugin_call_duration_seconds", factory: factory)
    }

    public static let disabled = PluginMetrics(factory: NOOPMetricsHandler.instance)
}

/// One install's process as the supervisor knows it on this instance, for the operator's status page.
public struct PluginProcessState: Sendable {
    public let install: PluginInstallID
    public let workspace: WorkspaceID
    public let isRunning: Bool
    /// The level its launcher reported, when one of its processes got that far.
    public let level: SandboxLevel?
}
