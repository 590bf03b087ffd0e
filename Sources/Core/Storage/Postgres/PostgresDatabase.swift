import CoreMetrics
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The PostgreSQL side of storage: one connection pool shared by every store, and transactions that say which
/// workspace they may see, so row-level security is a second wall behind each query's own workspace filter.
struct PostgresDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// How long a request waits for a pooled connection of a reachable server before it is answered 503.
    let leaseTimeout: Duration
    let server: ServerAddress
    /// Times each wait for a pooled connection.
    let poolWaits: CoreMetrics.Timer?

    /// `lockTimeout`: how long a statement waits for another transaction's lock before failing (503 to a client).
    init(_ location: PostgresLocation, lockTimeout: TimeInterval, poolWaits: CoreMetrics.Timer? = nil, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: Self.tls(location.tls)
        )
        configuration.options.maximumConnections = location.poolSize
        configuration.options.connectTimeout = .seconds(3)
        // A lock or a runaway query fails the request instead of holding it: the client gets a 503 and may retry.
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "10s"), ("lock_timeout", "\(max(1, Int(lockTimeout * 1000)))ms"),
            ("idle_in_transaction_session_timeout", "60s"), ("application_name", "relay"),
        ]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.leaseTimeout = .seconds(15)
        self.server = ServerAddress(host: location.host, port: location.port)
        self.poolWaits = poolWaits
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    /// Runs `body` in one transaction that sees what `visibility` allows; a throw rolls it back.
    func transaction<T: Sendable>(
        _ visibility: SQLDatabase.Visibility, _ body: @escaping @Sendable (SQLTransaction) async throws -> T
    ) async throws -> T {
        try await leasing { connection in
            try await unwrappingTransactionError {
                try await connection.withTransaction(logger: logger) { connection in
                    switch visibility {
                    case .workspace(let workspace):
                        try await connection.run("SELECT set_config('relay.workspace', \(workspace.description), true)", logger: logger)
                    case .allWorkspaces:
                        try await connection.run("SELECT set_config('relay.workspace', '*', true)", logger: logger)
                    case .none:
                        break
                    }
                    return try await body(SQLTransaction(.postgres(connection, logger)))
                }
            }
        }
    }

    /// One statement outside any transaction, on tables no workspace owns.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await leasing { connection in try await connection.rows(query, logger: logger) }
    }

    /// postgres-nio wraps whatever ends a transaction; callers want that error itself (a `RelayError` the body threw
    /// for the client, or the server's error to classify).
    func unwrappingTransactionError<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    /// Runs `body` on a pooled connection. While the server is unreachable the pool keeps retrying and would keep a
    /// request waiting as long; so after a second without a connection the server's port is probed: refused or silent
    /// means an outage and a prompt 503; reachable means a busy pool, worth waiting for up to `leaseTimeout`. Work on a
    /// connection, once leased, is bounded by the server's own statement and lock timeouts instead.
    ///
    /// `within`: wait that long however the probe answers (start-up, when the server may still be starting).
    func leasing<T: Sendable>(
        within patience: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let leased = LeaseFlag()
        let start = ContinuousClock.now
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.isSet.withLock { $0 = true }
                    poolWaits?.record(duration: .now - start)
                    return try await body(connection)
                }
            }
            group.addTask {
                let deadline = ContinuousClock.now + (patience ?? leaseTimeout)
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .seconds(1))
                    if leased.isSet.withLock({ $0 }) { return nil }
                    if patience == nil, await !server.isReachable() { throw PostgresUnavailable() }
                }
                guard leased.isSet.withLock({ $0 }) else { throw PostgresUnavailable() }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw PostgresUnavailable()
        }
    }
}

/// Where the server listens, to tell an outage from a busy pool.
struct ServerAddress: Sendable {
    let host: String
    let port: Int

    /// Whether a TCP connection to the server opens within half a second.
    func isReachable() async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(500))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

/// Whether a request got its connection, seen by the task that times the wait.
private final class LeaseFlag: Sendable {
    let isSet = Mutex(false)
}

/// No connection to the database could be had in time.
struct PostgresUnavailable: Error, CustomStringConvertible {
    var description: String { "no connection to PostgreSQL within the lease timeout" }
}

extension PostgresConnection {
    /// Runs a statement and reads its result to the end: postgres-nio hands back a statement once its row description
    /// arrives, and an error the server raises while executing it (a lock timeout, say) reaches only whoever reads the
    /// rows. Every statement goes through here or `rows`, so none fails unseen.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }

    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs a statement that ends in `RETURNING …` and counts the rows it touched.
    func changes(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await rows(query, logger: logger).count
    }
}

extension PSQLError {
    /// SQLSTATE of a server error, e.g. `23505`.
    var sqlState: String? { serverInfo?[.sqlState] }

    var isUniqueViolation: Bool { sqlState == "23505" }
}
