public import Core

/// What the supervisor needs to run one workspace's install: how to launch it and what its calls back may do.
public struct PluginRuntime: Sendable {
    public let install: PluginInstallID
    public let workspace: WorkspaceID
    public let launch: PluginLaunch
    /// Answers calls back into the host for this install.
    let callback: PluginProcess.Callback

    /// A runtime whose plugin may not call back into the host (benchmarks and tools that run a package alone).
    public init(install: PluginInstallID, workspace: WorkspaceID, launch: PluginLaunch) {
        self.init(install: install, workspace: workspace, launch: launch) { type, _, _ in
            throw RelayError(.forbidden, "this host serves no \(type) calls")
        }
    }

    init(install: PluginInstallID, workspace: WorkspaceID, launch: PluginLaunch, callback: @escaping PluginProcess.Callback) {
        self.install = install
        self.workspace = workspace
        self.launch = launch
        self.callback = callback
    }
}
