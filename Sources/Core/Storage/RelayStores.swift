public import Foundation
import GRDB

/// The stores of one database, behind the protocols the services use; the only door to the storage engine.
public struct RelayStores: Sendable {
    public let accounts: any AccountStore
    public let workspaces: any WorkspaceStore
    public let sessions: any SessionStore
    public let apps: any AppStore
    public let apiKeys: any APIKeyStore
    public let plans: any PlanStore
    public let usage: any UsageStore
    /// Rate-limit counters shared by every process on this database.
    public let rateLimits: any RateLimitStore
    public let credits: any CreditStore
    public let modelProviders: any ModelProviderStore
    public let chat: any ChatStore
    public let files: any FileStore
    public let plugins: any PluginStore
    public let workflows: any WorkflowStore
    public let datasets: any DatasetStore
    /// The durable queue of background work, shared by every process on this database.
    public let jobs: any JobStore

    /// Opens (creating if needed) the SQLite database at `path` in WAL mode and brings its schema up to date.
    ///
    /// Several processes may open the same file: writers wait for each other up to `busyTimeout`.
    public static func openSQLite(at path: URL, busyTimeout: TimeInterval = 5) throws -> RelayStores {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        let pool = try DatabasePool(path: path.path, configuration: configuration)
        try Migrations.migrator.migrate(pool)
        return RelayStores(
            accounts: SQLiteAccountStore(writer: pool),
            workspaces: SQLiteWorkspaceStore(writer: pool),
            sessions: SQLiteSessionStore(writer: pool),
            apps: SQLiteAppStore(writer: pool),
            apiKeys: SQLiteAPIKeyStore(writer: pool),
            plans: SQLitePlanStore(writer: pool),
            usage: SQLiteUsageStore(writer: pool),
            rateLimits: SQLiteRateLimitStore(writer: pool),
            credits: SQLiteCreditStore(writer: pool),
            modelProviders: SQLiteModelProviderStore(writer: pool),
            chat: SQLiteChatStore(writer: pool),
            files: SQLiteFileStore(writer: pool),
            plugins: SQLitePluginStore(writer: pool),
            workflows: SQLiteWorkflowStore(writer: pool),
            datasets: SQLiteDatasetStore(writer: pool),
            jobs: SQLiteJobStore(writer: pool)
        )
    }

    static func postgres(_ database: PostgresDatabase) -> RelayStores {
        RelayStores(
            accounts: PostgresAccountStore(database: database),
            workspaces: PostgresWorkspaceStore(database: database),
            sessions: PostgresSessionStore(database: database),
            apps: PostgresAppStore(database: database),
            apiKeys: PostgresAPIKeyStore(database: database),
            plans: PostgresPlanStore(database: database),
            usage: PostgresUsageStore(database: database),
            rateLimits: PostgresRateLimitStore(database: database),
            credits: PostgresCreditStore(database: database),
            modelProviders: PostgresModelProviderStore(database: database),
            chat: PostgresChatStore(database: database),
            files: PostgresFileStore(database: database),
            plugins: PostgresPluginStore(database: database),
            workflows: PostgresWorkflowStore(database: database),
            datasets: PostgresDatasetStore(database: database),
            jobs: PostgresJobStore(database: database)
        )
    }
}
