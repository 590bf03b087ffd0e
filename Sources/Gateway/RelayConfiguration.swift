public import Core
public import Foundation
public import Logging
public import PluginHost
public import RateLimit

/// Everything an operator can set, filled by the CLI (flags and environment) and constructed directly by tests.
public struct RelayConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 5001
    /// Holds the SQLite file, the generated secret key and, later, uploaded files.
    public var dataDirectory: URL = URL(fileURLWithPath: "storage")
    /// The database: `nil` for the SQLite file in the data directory, or a PostgreSQL server shared by several instances.
    public var database: DatabaseLocation?
    /// Signs access tokens. When `nil`, one is generated on first start and kept in the data directory.
    public var secretKey: String?
    public var allowsRegistration: Bool = false
    public var accessTokenLifetime: TimeInterval = 15 * 60
    /// How long a resolved API key is trusted before it is read again: the bound on revocation delay across instances.
    public var apiKeyCacheTTL: TimeInterval = 1
    /// bcrypt cost. Tests lower it to stay fast; the CLI never does.
    public var passwordHashCost: UInt8 = 12
    public var logLevel: Logger.Level = .info
    /// Guards the operator API (`/admin/api`); the operator API is off without one.
    public var adminKey: String?
    /// Also admits scrapes of `/metrics` (as the admin key does), so that Prometheus need not hold the operator key.
    public var metricsKey: String?
    /// A second listener, on `host`, serving only `/metrics` and without a key; `nil` for none.
    public var metricsPort: Int?
    /// `text` or `json` (one object a line); the executable bootstraps logging with it.
    public var logFormat: LogFormat = .text
    /// One point of the operator status page's series per step (tests shorten it).
    public var statusStep: Duration = .seconds(60)
    /// Where rate-limit counters live: this process only, or the database shared by every instance on it.
    public var rateLimitStore: RateLimitStoreKind = .memory
    /// What the shared store's failure does: fall back to in-process counters (open) or refuse with 503 (closed).
    public var rateLimitFailure: RateLimitFailurePolicy = .open
    /// Per-account budgets for console calls that change things (0 disables).
    public var consoleWritesPerMinute: Int = 60
    public var consoleWritesPerHour: Int = 1_000
    /// How long a write waits for another process's write on the same database before failing.
    public var databaseBusyTimeout: TimeInterval = 5
    /// Timeouts, retries and backoff of requests to upstream model servers.
    public var upstream = UpstreamPolicy()
    /// How often a quiet event stream sends `event: ping` (Dify: every 10 seconds).
    public var streamPingInterval: Duration = .seconds(10)
    /// Whether images named by URL in messages may be fetched from private, loopback and link-local addresses.
    public var allowsPrivateFileURLs = false
    /// Whether workflow `http-request` nodes may call private, loopback and link-local addresses.
    public var workflowHTTPAllowsPrivate = false
    /// Folders of built-in plugins (the repository's `plugins/`), packed at start-up; `nil` for none.
    public var builtInPluginsDirectory: URL? = URL(fileURLWithPath: "plugins")
    /// Where plugin packages are unpacked and installs keep their files; `nil` for the data directory's `plugins`.
    /// Plugin uids must be able to reach it: no folder on the way may be closed to others.
    public var pluginDirectory: URL?
    /// The `relay-plugin-launcher` executable; `nil` for the one beside the running executable.
    public var pluginLauncher: String?
    public var pluginSandboxMinimum: SandboxLevel = .basic
    public var pluginCallTimeout: Duration = .seconds(60)
    public var pluginIdleTimeout: Duration = .seconds(300)
    public var pluginStartTimeout: Duration = .seconds(30)
    /// The Python that makes Python plugins' virtual environments.
    public var pluginPython = "/usr/bin/python3"
    /// Background jobs (document indexing): lease, workers of this instance, retries.
    public var jobs = JobWorker.Settings()
    /// Memory for datasets' vectors held for semantic search, in bytes.
    public var vectorCacheBytes = 256 << 20
    /// Most bytes of files one zip download of documents holds.
    public var documentZipBytes = 256 << 20
    /// Largest audio `POST /audio-to-text` takes: Dify's 30 MB.
    public var audioToTextBytes = 30 << 20
    /// Vectors from which a dataset's semantic search uses an approximate (HNSW) index.
    public var approximateSearchFrom = 100_000

    public enum RateLimitStoreKind: String, Sendable, CaseIterable {
        case memory
        case database
    }

    public init() {}

    public var databaseFile: URL { dataDirectory.appendingPathComponent("relay.sqlite") }
    public var databaseLocation: DatabaseLocation { database ?? .sqlite(databaseFile) }
    public var secretKeyFile: URL { dataDirectory.appendingPathComponent("secret_key") }
    /// Uploaded files, one folder per workspace. Instances sharing PostgreSQL need this on a shared volume.
    public var uploadsDirectory: URL { dataDirectory.appendingPathComponent("uploads", isDirectory: true) }
    /// Scratch folders of document parsers (PDF), like code runs'.
    public var documentParsingDirectory: URL { pluginRoot.appendingPathComponent("document-runs", isDirectory: true) }
    /// Scratch folders of workflow `code` runs, beside the plugins' (so reachable the same way by their uids).
    public var codeRunsDirectory: URL { pluginRoot.appendingPathComponent("code-runs", isDirectory: true) }
    public var pluginRoot: URL { pluginDirectory ?? dataDirectory.appendingPathComponent("plugins", isDirectory: true) }
    /// The launcher: as set, else beside the running executable.
    public var pluginLauncherPath: String {
        pluginLauncher
            ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("relay-plugin-launcher").path
    }
}
