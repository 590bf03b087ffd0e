public import Core
import Crypto
public import Foundation
public import Logging
import Subprocess
import SystemPackage

/// The server's plugin files: packages unpacked by content hash, Python environments per package, and each install's
/// own writable folder. Also the built-in packages: the folders of the repository's `plugins/`, packed at start-up.
///
/// Layout under `root` (mode 0711, so that plugin uids can reach their folders and list nothing):
/// `packages/<sha256>/` (read-only code), `environments/<sha256>/` (a Python virtual environment), `installs/<id>/`
/// (mode 0700, owned by the install's uid).
public actor PluginCatalogue {
    public let root: URL
    /// The Python that creates plugins' virtual environments (Debian's `/usr/bin/python3` by default).
    public let python: String
    private let logger: Logger
    private var builtIn: [String: (declaration: PluginDeclaration, archive: Data)] = [:]

    public init(root: URL, python: String = "/usr/bin/python3", logger: Logger) {
        self.root = root
        self.python = python
        self.logger = logger
    }

    /// Packs and checks every package folder in `folder`; one that fails is logged and left out.
    public func loadBuiltIn(from folder: URL) throws {
        try prepareRoot()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() {
            let package = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: package.appendingPathComponent("manifest.yaml").path) else { continue }
            do {
                let archive = try PackageArchive.pack(package)
                let (identifier, declaration) = try inspect(archive)
                builtIn[identifier] = (declaration, archive)
                logger.info("Built-in plugin", metadata: ["identifier": "\(identifier)"])
            } catch {
                logger.error("Built-in plugin left out", metadata: ["folder": "\(package.path)", "error": "\(error)"])
            }
        }
    }

    public var builtInPackages: [(identifier: String, declaration: PluginDeclaration)] {
        builtIn.map { ($0.key, $0.value.declaration) }.sorted { $0.identifier < $1.identifier }
    }

    func builtInPackage(_ identifier: String) -> (declaration: PluginDeclaration, archive: Data)? { builtIn[identifier] }

    /// Checks a package (zip bytes) and returns its identifier, `author/name:version@sha256`, and declarations.
    func inspect(_ archive: Data) throws -> (identifier: String, declaration: PluginDeclaration) {
        try prepareRoot()
        let scratch = root.appendingPathComponent("scratch/\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try PackageArchive.unpack(archive, into: scratch)
        let declaration = try PackageFolderReader.read(scratch)
        return ("\(declaration.pluginID):\(declaration.version)@\(Self.digest(archive))", declaration)
    }

    /// The package's unpacked folder, unpacking it and creating its Python environment the first time.
    func prepare(_ identifier: String, declaration: PluginDeclaration, archive: () async throws -> Data) async throws -> URL {
        let hash = Self.hash(of: identifier)
        let folder = root.appendingPathComponent("packages/\(hash)")
        if !FileManager.default.fileExists(atPath: folder.path) {
            let partial = root.appendingPathComponent("packages/\(hash).\(UUID().uuidString)")
            try PackageArchive.unpack(try await archive(), into: partial)
            try? FileManager.default.moveItem(at: partial, to: folder)
            try? FileManager.default.removeItem(at: partial)
        }
        if declaration.runner.language == "python" {
            try await createEnvironment(hash, package: folder)
        }
        return folder
    }

    func environment(of identifier: String) -> URL { root.appendingPathComponent("environments/\(Self.hash(of: identifier))") }

    /// The install's own writable folder: its home, owned by its uid when the server is root.
    func installFolder(_ install: PluginInstall, uid: UInt32?) throws -> URL {
        let folder = root.appendingPathComponent("installs/\(install.id)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        if let uid {
            for path in [folder.path, folder.appendingPathComponent("tmp").path] where chown(path, uid, uid) != 0 {
                throw RelayError.internalError(POSIXError(.EPERM))
            }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        return folder
    }

    func removeInstallFolder(_ install: PluginInstallID) {
        try? FileManager.default.removeItem(at: root.appendingPathComponent("installs/\(install)"))
    }

    private func createEnvironment(_ hash: String, package: URL) async throws {
        let environment = root.appendingPathComponent("environments/\(hash)")
        guard !FileManager.default.fileExists(atPath: environment.path) else { return }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw RelayError(.pluginInstallFailed, "Python plugins need Python 3 at \(python); none is there (install python3 and python3-venv)")
        }
        let partial = root.appendingPathComponent("environments/\(hash).partial-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: partial) }
        try await step("creating the virtual environment", python, ["-m", "venv", partial.path])
        let requirements = package.appendingPathComponent("requirements.txt")
        if FileManager.default.fileExists(atPath: requirements.path) {
            try await step(
                "installing requirements.txt", partial.appendingPathComponent("bin/python").path,
                ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirements.path]
            )
        }
        // Another install of the same package may have made it meanwhile; either is as good.
        if !FileManager.default.fileExists(atPath: environment.path) {
            try FileManager.default.moveItem(at: partial, to: environment)
        }
    }

    private func step(_ what: String, _ program: String, _ arguments: [String]) async throws {
        let result = try await Subprocess.run(
            .path(FilePath(program)), arguments: Arguments(arguments),
            environment: .custom([
                "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                "HOME": ProcessInfo.processInfo.environment["HOME"] ?? root.path,
            ]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20)
        )
        guard result.terminationStatus.isSuccess else {
            let output = ((result.standardError ?? "") + (result.standardOutput ?? "")).suffix(2000)
            throw RelayError(
                .pluginInstallFailed, "Installing the plugin failed while \(what) (\(result.terminationStatus))",
                details: ["output": .string(String(output))]
            )
        }
    }

    private func prepareRoot() throws {
        for folder in ["", "packages", "environments", "installs", "scratch"] {
            let url = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            if folder != "scratch" { try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: url.path) }
        }
    }

    static func digest(_ data: Data) -> String { SHA256.hash(data: data).hex }

    /// The sha256 part of an identifier, or a hash of the whole when it has none (a folder name either way).
    static func hash(of identifier: String) -> String {
        if let at = identifier.lastIndex(of: "@") {
            let hash = identifier[identifier.index(after: at)...]
            if hash.count == 64, hash.allSatisfy(\.isHexDigit) { return String(hash) }
        }
        return digest(Data(identifier.utf8))
    }
}
