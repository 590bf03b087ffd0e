public import Foundation

/// The stores of one database, one per domain, each written once for both engines on `SQLDatabase`.
public struct RelayStores: Sendable {
    public let accounts: AccountStore
    public let workspaces: WorkspaceStore
    public let sessions: SessionStore
    public let apps: AppStore
    public let apiKeys: APIKeyStore
    public let plans: PlanStore
    public let usage: UsageStore
    /// Rate-limit counters shared by every process on this database.
    public let rateLimits: any RateLimitStore
    public let credits: CreditStore
    public let modelProviders: ModelProviderStore
    public let chat: ChatStore
    public let files: FileStore
    public let plugins: PluginStore
    public let workflows: WorkflowStore
    public let datasets: DatasetStore
    public let annotations: AnnotationStore
    /// The durable queue of background work, shared by every process on this database.
    public let jobs: JobStore

    /// The door all of them use.
    let database: SQLDatabase

    init(_ database: SQLDatabase) {
        self.database = database
        accounts = AccountStore(database: database)
        workspaces = WorkspaceStore(database: database)
        sessions = SessionStore(database: database)
        apps = AppStore(database: database)
        apiKeys = APIKeyStore(database: database)
        plans = PlanStore(database: database)
        usage = UsageStore(database: database)
        rateLimits = DatabaseRateLimitStore(database: database)
        credits = CreditStore(database: database)
        modelProviders = ModelProviderStore(database: database)
        chat = ChatStore(database: database)
        files = FileStore(database: database)
        plugins = PluginStore(database: database)
        workflows = WorkflowStore(database: database)
        datasets = DatasetStore(database: database)
        annotations = AnnotationStore(database: database)
        jobs = JobStore(database: database)
    }

    /// Opens (creating if needed) the SQLite database at `path` in WAL mode and brings its schema up to date.
    ///
    /// Several processes may open the same file: writers wait for each other up to `busyTimeout`.
    public static func openSQLite(at path: URL, busyTimeout: TimeInterval = 5, metrics: DatabaseMetrics = .disabled) throws -> RelayStores {
        try Migrations.migrate(path, busyTimeout: busyTimeout)
        return RelayStores(SQLDatabase(engine: .sqlite(try SQLitePool(path: path.path, busyTimeout: busyTimeout, metrics: metrics))))
    }
}
