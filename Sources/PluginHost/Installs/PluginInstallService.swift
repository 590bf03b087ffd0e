public import Core
public import Foundation
import Logging
import Synchronization

/// Uploading packages, installing them in a workspace, and turning an install into something the supervisor can run.
/// Every operation is scoped to one workspace.
public struct PluginInstallService: Sendable {
    public let catalogue: PluginCatalogue
    public let supervisor: PluginSupervisor
    let store: PluginStore
    let now: @Sendable () -> Date
    /// Whether installs get their own uid: only possible, and only needed, when the server runs as root.
    let ownUIDs: Bool
    /// The workspace's models, for plugins' `llm` calls back into the host.
    let models: ModelProviderService?
    /// Declarations decoded once per package: an identifier holds the package's hash, so what it declares never changes.
    private let declarations = DeclarationCache()
    static let uidRange: ClosedRange<Int> = 200_000...16_000_000
    public static let maximumPackageSize = 50 << 20

    public init(
        catalogue: PluginCatalogue, supervisor: PluginSupervisor, store: PluginStore, models: ModelProviderService? = nil,
        now: @escaping @Sendable () -> Date
    ) {
        self.catalogue = catalogue
        self.models = models
        self.supervisor = supervisor
        self.store = store
        self.now = now
        ownUIDs = geteuid() == 0
    }

    /// An install with what its package declared.
    public struct Installed: Sendable {
        public let install: PluginInstall
        public let declaration: PluginDeclaration
    }

    /// Checks an uploaded `.difypkg` and keeps it for the workspace; installing is a separate step.
    public func upload(_ archive: Data, in workspace: WorkspaceID) async throws -> (identifier: String, declaration: PluginDeclaration) {
        guard archive.count <= Self.maximumPackageSize else {
            throw RelayError(.payloadTooLarge, "A plugin package may be at most \(Self.maximumPackageSize >> 20) MiB")
        }
        let (identifier, declaration) = try await catalogue.inspect(archive)
        try await store.savePackage(
            StoredPluginPackage(
                workspace: workspace, identifier: identifier, pluginID: declaration.pluginID, version: declaration.version,
                declaration: try JSONEncoder().encode(declaration), archive: archive, createdAt: now()
            )
        )
        return (identifier, declaration)
    }

    /// Installs a built-in package or one the workspace uploaded; replaces the workspace's install of the same plugin.
    public func install(_ identifier: String, in workspace: WorkspaceID) async throws -> Installed {
        let source: String
        let declaration: PluginDeclaration
        let archive: @Sendable () async throws -> Data
        if let builtIn = await catalogue.builtInPackage(identifier) {
            (source, declaration) = ("builtin", builtIn.declaration)
            archive = { builtIn.archive }
        } else if let stored = try await store.package(identifier, in: workspace) {
            source = "package"
            declaration = try JSONDecoder().decode(PluginDeclaration.self, from: stored.declaration)
            archive = { stored.archive }
        } else {
            throw RelayError.notFound("No plugin package '\(identifier)' in this server's catalogue or this workspace's uploads")
        }
        _ = try await catalogue.prepare(identifier, declaration: declaration, archive: archive)
        let previous = try await store.installs(in: workspace).first { $0.pluginID == declaration.pluginID }
        var attempts = 0
        while true {
            attempts += 1
            do {
                let install = try await store.saveInstall(
                    PluginInstall(
                        id: PluginInstallID(), workspace: workspace, pluginID: declaration.pluginID, identifier: identifier, source: source,
                        declaration: try JSONEncoder().encode(declaration), sandboxUID: Int.random(in: Self.uidRange), createdAt: now()
                    )
                )
                if let previous {
                    await supervisor.remove(previous.id)
                    await catalogue.removeInstallFolder(previous.id)
                }
                return Installed(install: install, declaration: declaration)
            } catch is SandboxUIDTaken {
                // A uid another install holds, or an install of the same plugin saved at the same moment: try again.
                guard attempts < 8 else {
                    throw RelayError(.serviceUnavailable, "The plugin could not be installed just now; try again")
                }
            }
        }
    }

    public func installs(in workspace: WorkspaceID) async throws -> [Installed] {
        try await store.installs(in: workspace).map { Installed(install: $0, declaration: try declarations.declaration(of: $0)) }
    }

    public func install(_ id: PluginInstallID, in workspace: WorkspaceID) async throws -> Installed {
        guard let install = try await store.install(id, in: workspace) else {
            throw RelayError.notFound("No plugin install '\(id)' in this workspace")
        }
        return Installed(install: install, declaration: try declarations.declaration(of: install))
    }

    /// Removes an install, its process, its storage, its tool credentials and its folder.
    public func uninstall(_ id: PluginInstallID, in workspace: WorkspaceID) async throws {
        let installed = try await install(id, in: workspace)
        let providers = installed.declaration.toolProviders.map { PluginToolService.providerID(installed.declaration, $0) }
        guard try await store.deleteInstall(id, providers: providers, in: workspace) != nil else {
            throw RelayError.notFound("No plugin install '\(id)' in this workspace")
        }
        await supervisor.remove(id)
        await catalogue.removeInstallFolder(id)
    }

    /// What the supervisor needs to run `installed`: its launch (program, folders, limits, uid) and its callbacks.
    func runtime(for installed: Installed) async throws -> PluginRuntime {
        // An install's id is never reused (an upgrade is a new install): what was prepared for it still holds.
        if let known = await supervisor.knownRuntime(of: installed.install.id) { return known }
        let declaration = installed.declaration
        let install = installed.install
        let package = try await catalogue.prepare(install.identifier, declaration: declaration) {
            if let builtIn = await catalogue.builtInPackage(install.identifier) { return builtIn.archive }
            guard let stored = try await store.package(install.identifier, in: install.workspace) else {
                throw RelayError(.pluginUnavailable, "The package of this install is no longer on this server; install it again")
            }
            return stored.archive
        }
        let uid = ownUIDs ? UInt32(install.sandboxUID) : nil
        let home = try await catalogue.installFolder(install, uid: uid)
        let program: [String] =
            declaration.runner.language == "python"
            ? [await catalogue.environment(of: install.identifier).appendingPathComponent("bin/python").path, "-m", declaration.runner.entrypoint]
            : [package.appendingPathComponent(declaration.runner.entrypoint).path]
        let settings = supervisor.settings
        var launch = PluginLaunch(
            program: program, workingDirectory: package.path,
            environment: [
                "INSTALL_METHOD": "local", "HOME": home.path, "TMPDIR": home.appendingPathComponent("tmp").path,
                "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
            ],
            memory: declaration.memory, cpuSeconds: settings.cpuSecondsPerProcess, openFiles: settings.openFiles,
            fileSize: settings.fileSize, processes: settings.processes, uid: uid, network: declaration.permission.network
        )
        if declaration.runner.language == "python" { launch.reads.append(await catalogue.environment(of: install.identifier).path) }
        launch.writes = [home.path]
        let callbacks = HostCallbacks(store: store, workspace: install.workspace, declaration: declaration, models: models)
        return PluginRuntime(install: install.id, workspace: install.workspace, launch: launch, callback: callbacks.answer)
    }

}

/// Decoded declarations by package identifier.
final class DeclarationCache: Sendable {
    private let decoded = Mutex<[String: PluginDeclaration]>([:])

    func declaration(of install: PluginInstall) throws -> PluginDeclaration {
        if let known = decoded.withLock({ $0[install.identifier] }) { return known }
        let declaration = try JSONDecoder().decode(PluginDeclaration.self, from: install.declaration)
        decoded.withLock { $0[install.identifier] = declaration }
        return declaration
    }
}
