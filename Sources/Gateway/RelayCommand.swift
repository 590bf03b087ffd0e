public import ArgumentParser
import Core
import Foundation
import Hummingbird
import Logging
import PluginHost
import RateLimit
import ServiceLifecycle
import UnixSignals

/// `relay`: the gateway's command line.
public struct RelayCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "A multi-tenant gateway for LLM applications, serving the Dify API.",
        subcommands: [ServeCommand.self, AdminCommand.self]
    )

    public init() {}
}

/// `relay serve`: every flag can also come from its `RELAY_…` environment variable; a flag wins.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Start the gateway.")

    @Option(help: "Address to listen on (RELAY_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (RELAY_PORT, default 5001).")
    var port: Int?

    @Option(help: "Directory for the SQLite file, the generated secret key and uploads (RELAY_DATA_DIR, default ./storage).")
    var dataDir: String?

    @Option(
        help:
            "postgres://USER:PASSWORD@HOST:PORT/DATABASE to share one PostgreSQL among several instances; sqlite://PATH for another SQLite file (RELAY_DATABASE_URL, default the data directory's relay.sqlite)."
    )
    var databaseURL: String?

    @Option(help: "Secret that signs tokens (RELAY_SECRET_KEY); generated into the data directory when absent.")
    var secretKey: String?

    @Flag(help: "Let anyone create an account and workspace with POST /console/api/register (RELAY_ALLOW_REGISTER).")
    var allowRegister = false

    @Option(help: "trace, debug, info, notice, warning, error or critical (RELAY_LOG_LEVEL, default info).")
    var logLevel: String?

    @Option(help: "text, or json for one JSON object a line with an access-log line per request (RELAY_LOG_FORMAT, default text).")
    var logFormat: String?

    @Option(help: "Key that may also scrape GET /metrics, besides the admin key (RELAY_METRICS_KEY).")
    var metricsKey: String?

    @Option(help: "Port of a second listener serving only /metrics, without a key (RELAY_METRICS_PORT; default none).")
    var metricsPort: Int?

    @Option(help: "Key for the operator API under /admin/api (RELAY_ADMIN_KEY); the operator API is off without one.")
    var adminKey: String?

    @Option(help: "memory (this process) or database (shared by every relay on the data) (RELAY_RATE_LIMIT_STORE, default memory).")
    var rateLimitStore: String?

    @Option(
        help: "When the shared rate-limit store fails: open (use this process's counters) or closed (503) (RELAY_RATE_LIMIT_FAILURE, default open).")
    var rateLimitFailure: String?

    @Option(help: "Seconds to wait for a connection to an upstream model server (RELAY_UPSTREAM_CONNECT_TIMEOUT, default 10).")
    var upstreamConnectTimeout: Double?

    @Option(help: "Seconds an upstream model server may stay silent mid-answer (RELAY_UPSTREAM_READ_TIMEOUT, default 60).")
    var upstreamReadTimeout: Double?

    @Option(help: "Retries of an upstream request that failed before answering: unreachable or 5xx (RELAY_UPSTREAM_RETRIES, default 2).")
    var upstreamRetries: Int?

    @Option(help: "Seconds before the first upstream retry, doubling each time (RELAY_UPSTREAM_BACKOFF, default 0.5).")
    var upstreamBackoff: Double?

    @Option(help: "Most connections (so streamed answers in flight) to one upstream host (RELAY_UPSTREAM_CONNECTIONS_PER_HOST, default 10000).")
    var upstreamConnectionsPerHost: Int?

    @Flag(
        name: .customLong("allow-private-file-urls"),
        help: "Let messages name images on private, loopback and link-local addresses (RELAY_ALLOW_PRIVATE_FILE_URLS).")
    var allowPrivateFileURLs = false

    @Flag(
        name: .customLong("workflow-http-allow-private"),
        help: "Let workflow http-request nodes call private, loopback and link-local addresses (RELAY_WORKFLOW_HTTP_ALLOW_PRIVATE).")
    var workflowHTTPAllowPrivate = false

    @Flag(
        name: .customLong("allow-private-model-endpoints"),
        help:
            "Let model providers' endpoint URLs name private and loopback addresses; link-local and metadata ones stay refused (RELAY_ALLOW_PRIVATE_MODEL_ENDPOINTS)."
    )
    var allowPrivateModelEndpoints = false

    @Option(help: "Console calls that change things, per account and minute; 0 for no limit (RELAY_CONSOLE_WRITES_PER_MINUTE, default 60).")
    var consoleWritesPerMinute: Int?

    @Option(help: "The same per hour (RELAY_CONSOLE_WRITES_PER_HOUR, default 1000).")
    var consoleWritesPerHour: Int?

    @Option(help: "Lowest sandbox level a plugin may run under: none, basic, standard or strict (RELAY_PLUGIN_SANDBOX_MINIMUM, default basic).")
    var pluginSandboxMinimum: String?

    @Option(help: "Seconds one plugin call may take before its process is killed (RELAY_PLUGIN_CALL_TIMEOUT, default 60).")
    var pluginCallTimeout: Double?

    @Option(help: "Seconds a plugin process may sit without calls before it is stopped (RELAY_PLUGIN_IDLE_TIMEOUT, default 300).")
    var pluginIdleTimeout: Double?

    @Option(
        help:
            "Seconds a background job's claim holds without renewal; a job of an instance that died is taken over after it (RELAY_JOB_LEASE, default 30)."
    )
    var jobLease: Double?

    @Option(help: "Background jobs (document indexing) this instance runs at once (RELAY_JOB_WORKERS, default 2; 0 to run none here).")
    var jobWorkers: Int?

    @Option(
        help:
            "Vectors from which a dataset's semantic search uses an approximate (HNSW) index instead of an exact scan (RELAY_APPROXIMATE_SEARCH_FROM, default 100000)."
    )
    var approximateSearchFrom: Int?

    @Option(
        help:
            "Where plugin packages are unpacked and installs keep their files; plugin uids must be able to reach it (RELAY_PLUGIN_DIR, default DATA_DIR/plugins)."
    )
    var pluginDir: String?

    @Option(help: "Folder of built-in plugin folders, packed at start-up (RELAY_BUILTIN_PLUGINS, default ./plugins; empty for none).")
    var builtinPlugins: String?

    @Option(help: "The relay-plugin-launcher executable (RELAY_PLUGIN_LAUNCHER, default beside relay).")
    var pluginLauncher: String?

    @Option(help: "The Python 3 that creates Python plugins' virtual environments (RELAY_PLUGIN_PYTHON, default /usr/bin/python3).")
    var pluginPython: String?

    func run() async throws {
        let configuration = try makeConfiguration(environment: ProcessInfo.processInfo.environment)
        // Here only: the process's one logging system. Tests build servers without it, many in one process.
        if configuration.logFormat == .json { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        let app = try await buildApplication(configuration)
        try await Self.run(app, logger: app.logger)
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully: requests in flight finish, services stop. Shutdown is
    /// bounded, so that a service stuck on something that never answers cannot keep the process alive (one was seen
    /// idle half an hour after SIGTERM, its port closed): after 30 s the services are cancelled, and 10 s after that
    /// the process ends anyway.
    static func run(_ app: some ApplicationProtocol, logger: Logger) async throws {
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(30)
        group.maximumCancellationDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
    }

    func makeConfiguration(environment: [String: String]) throws -> RelayConfiguration {
        var configuration = RelayConfiguration()
        configuration.host = host ?? environment["RELAY_HOST"] ?? configuration.host
        if let port = try port ?? environment["RELAY_PORT"].map({ try Self.integer($0, name: "RELAY_PORT") }) {
            guard (0...65535).contains(port) else { throw ValidationError("The port must be from 0 to 65535") }
            configuration.port = port
        }
        try configuration.locateData(dataDir: dataDir, databaseURL: databaseURL, environment: environment)
        configuration.secretKey = secretKey ?? environment["RELAY_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let secret = configuration.secretKey, secret.utf8.count < 32 {
            throw ValidationError("The secret key must be at least 32 bytes long")
        }
        if case .postgres = configuration.databaseLocation, configuration.secretKey == nil {
            throw ValidationError(
                "Instances sharing PostgreSQL must share one secret key: pass --secret-key or RELAY_SECRET_KEY (at least 32 bytes)"
            )
        }
        configuration.allowsRegistration = try allowRegister || Self.boolean(environment["RELAY_ALLOW_REGISTER"], name: "RELAY_ALLOW_REGISTER")
        configuration.adminKey = adminKey ?? environment["RELAY_ADMIN_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let key = configuration.adminKey, key.utf8.count < 16 {
            throw ValidationError("The admin key must be at least 16 characters long")
        }
        if let store = rateLimitStore ?? environment["RELAY_RATE_LIMIT_STORE"] {
            configuration.rateLimitStore = try Self.choice(store, name: "rate limit store")
        }
        if let failure = rateLimitFailure ?? environment["RELAY_RATE_LIMIT_FAILURE"] {
            configuration.rateLimitFailure = try Self.choice(failure, name: "rate limit failure policy")
        }
        if let seconds = try upstreamConnectTimeout
            ?? Self.seconds(environment["RELAY_UPSTREAM_CONNECT_TIMEOUT"], name: "RELAY_UPSTREAM_CONNECT_TIMEOUT")
        {
            configuration.upstream.connectTimeout = try Self.duration(seconds, name: "upstream connect timeout", minimum: 0.1)
        }
        if let seconds = try upstreamReadTimeout ?? Self.seconds(environment["RELAY_UPSTREAM_READ_TIMEOUT"], name: "RELAY_UPSTREAM_READ_TIMEOUT") {
            configuration.upstream.readTimeout = try Self.duration(seconds, name: "upstream read timeout", minimum: 0.1)
        }
        if let retries = try upstreamRetries ?? environment["RELAY_UPSTREAM_RETRIES"].map({ try Self.integer($0, name: "RELAY_UPSTREAM_RETRIES") }) {
            guard (0...10).contains(retries) else { throw ValidationError("Upstream retries must be from 0 to 10") }
            configuration.upstream.retries = retries
        }
        if let seconds = try upstreamBackoff ?? Self.seconds(environment["RELAY_UPSTREAM_BACKOFF"], name: "RELAY_UPSTREAM_BACKOFF") {
            configuration.upstream.backoff = try Self.duration(seconds, name: "upstream backoff", minimum: 0)
        }
        if let connections = try upstreamConnectionsPerHost
            ?? environment["RELAY_UPSTREAM_CONNECTIONS_PER_HOST"].map({ try Self.integer($0, name: "RELAY_UPSTREAM_CONNECTIONS_PER_HOST") })
        {
            guard connections >= 1 else { throw ValidationError("Upstream connections per host must be at least 1") }
            configuration.upstream.connectionsPerHost = connections
        }
        configuration.allowsPrivateFileURLs =
            try allowPrivateFileURLs
            || Self.boolean(environment["RELAY_ALLOW_PRIVATE_FILE_URLS"], name: "RELAY_ALLOW_PRIVATE_FILE_URLS")
        configuration.workflowHTTPAllowsPrivate =
            try workflowHTTPAllowPrivate
            || Self.boolean(environment["RELAY_WORKFLOW_HTTP_ALLOW_PRIVATE"], name: "RELAY_WORKFLOW_HTTP_ALLOW_PRIVATE")
        configuration.upstream.allowsPrivateEndpoints =
            try allowPrivateModelEndpoints
            || Self.boolean(environment["RELAY_ALLOW_PRIVATE_MODEL_ENDPOINTS"], name: "RELAY_ALLOW_PRIVATE_MODEL_ENDPOINTS")
        if let limit = try consoleWritesPerMinute
            ?? environment["RELAY_CONSOLE_WRITES_PER_MINUTE"].map({ try Self.integer($0, name: "RELAY_CONSOLE_WRITES_PER_MINUTE") })
        {
            guard limit >= 0 else { throw ValidationError("Console writes per minute must be 0 (no limit) or more") }
            configuration.consoleWritesPerMinute = limit
        }
        if let limit = try consoleWritesPerHour
            ?? environment["RELAY_CONSOLE_WRITES_PER_HOUR"].map({ try Self.integer($0, name: "RELAY_CONSOLE_WRITES_PER_HOUR") })
        {
            guard limit >= 0 else { throw ValidationError("Console writes per hour must be 0 (no limit) or more") }
            configuration.consoleWritesPerHour = limit
        }
        if let level = pluginSandboxMinimum ?? environment["RELAY_PLUGIN_SANDBOX_MINIMUM"] {
            configuration.pluginSandboxMinimum = try Self.choice(level, name: "plugin sandbox level")
        }
        if let seconds = try pluginCallTimeout ?? Self.seconds(environment["RELAY_PLUGIN_CALL_TIMEOUT"], name: "RELAY_PLUGIN_CALL_TIMEOUT") {
            configuration.pluginCallTimeout = try Self.duration(seconds, name: "plugin call timeout", minimum: 0.1)
        }
        if let seconds = try pluginIdleTimeout ?? Self.seconds(environment["RELAY_PLUGIN_IDLE_TIMEOUT"], name: "RELAY_PLUGIN_IDLE_TIMEOUT") {
            configuration.pluginIdleTimeout = try Self.duration(seconds, name: "plugin idle timeout", minimum: 1)
        }
        if let seconds = try jobLease ?? Self.seconds(environment["RELAY_JOB_LEASE"], name: "RELAY_JOB_LEASE") {
            configuration.jobs.lease = try Self.duration(seconds, name: "job lease", minimum: 1)
        }
        if let workers = try jobWorkers
            ?? environment["RELAY_JOB_WORKERS"].map({ text in
                guard let number = Int(text) else { throw ValidationError("RELAY_JOB_WORKERS must be a whole number") }
                return number
            })
        {
            guard (0...64).contains(workers) else { throw ValidationError("--job-workers must be from 0 to 64") }
            configuration.jobs.concurrency = workers
        }
        if let rows = try approximateSearchFrom
            ?? environment["RELAY_APPROXIMATE_SEARCH_FROM"].map({ text in
                guard let number = Int(text) else { throw ValidationError("RELAY_APPROXIMATE_SEARCH_FROM must be a whole number") }
                return number
            })
        {
            guard rows >= 1 else { throw ValidationError("--approximate-search-from must be 1 or more") }
            configuration.approximateSearchFrom = rows
        }
        if let directory = pluginDir ?? environment["RELAY_PLUGIN_DIR"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration.pluginDirectory = URL(fileURLWithPath: directory)
        }
        if let folder = builtinPlugins ?? environment["RELAY_BUILTIN_PLUGINS"] {
            configuration.builtInPluginsDirectory = folder.isEmpty ? nil : URL(fileURLWithPath: folder)
        }
        configuration.pluginLauncher = pluginLauncher ?? environment["RELAY_PLUGIN_LAUNCHER"].flatMap { $0.isEmpty ? nil : $0 }
        if let python = pluginPython ?? environment["RELAY_PLUGIN_PYTHON"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration.pluginPython = python
        }
        if configuration.pluginSandboxMinimum == .none {
            FileHandle.standardError.write(Data("warning: --plugin-sandbox-minimum none is for development only\n".utf8))
        }
        if let format = logFormat ?? environment["RELAY_LOG_FORMAT"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration.logFormat = try Self.choice(format, name: "log format")
        }
        configuration.metricsKey = metricsKey ?? environment["RELAY_METRICS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let key = configuration.metricsKey, key.utf8.count < 16 {
            throw ValidationError("The metrics key must be at least 16 characters long")
        }
        if let port = try metricsPort
            ?? environment["RELAY_METRICS_PORT"].flatMap({ $0.isEmpty ? nil : $0 }).map({ try Self.integer($0, name: "RELAY_METRICS_PORT") })
        {
            guard (0...65535).contains(port) else { throw ValidationError("The metrics port must be from 0 to 65535") }
            guard port == 0 || port != configuration.port else { throw ValidationError("The metrics port must differ from the port") }
            configuration.metricsPort = port
        }
        if let level = logLevel ?? environment["RELAY_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level) else { throw ValidationError("Unknown log level '\(level)'") }
            configuration.logLevel = parsed
        }
        return configuration
    }

    static func choice<Value: RawRepresentable & CaseIterable>(_ text: String, name: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw ValidationError("Unknown \(name) '\(text)'; use one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    static func integer(_ text: String, name: String) throws -> Int {
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, not '\(text)'") }
        return value
    }

    static func seconds(_ text: String?, name: String) throws -> Double? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Double(text) else { throw ValidationError("\(name) must be a number of seconds, not '\(text)'") }
        return value
    }

    static func duration(_ seconds: Double, name: String, minimum: Double) throws -> Duration {
        guard seconds.isFinite, seconds >= minimum, seconds <= 86_400 else {
            throw ValidationError("The \(name) must be from \(minimum) to 86400 seconds")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static func boolean(_ text: String?, name: String) throws -> Bool {
        switch text?.lowercased() {
        case nil, "", "0", "false", "no", "off": return false
        case "1", "true", "yes", "on": return true
        case let other?: throw ValidationError("\(name) must be true or false, not '\(other)'")
        }
    }
}
