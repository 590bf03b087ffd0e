public import Core
public import Foundation
import GRDB
import Logging
import PostgresNIO
import Synchronization

/// The engine the whole suite runs on: SQLite files, or PostgreSQL when `RELAY_TEST_DATABASE_URL` names a server
/// (`scripts/test` runs the suite once each way). Each test gets a fresh, empty database of its own.
public enum TestDatabase {
    /// The PostgreSQL server of this run, or `nil` for SQLite.
    public static let server: PostgresLocation? = {
        guard let url = ProcessInfo.processInfo.environment["RELAY_TEST_DATABASE_URL"], !url.isEmpty else { return nil }
        guard case .postgres(let location) = try? DatabaseLocation(url: url) else {
            fatalError("RELAY_TEST_DATABASE_URL is not a postgres:// URL: \(url)")
        }
        return location
    }()

    public static var isPostgres: Bool { server != nil }

    /// The secret every relay of a test shares: instances on PostgreSQL must be given one.
    public static let secretKey = String(repeating: "relay-test-secret-", count: 3)

    /// Runs `body` with a fresh database: a new PostgreSQL database on the test server (dropped afterwards), or the
    /// SQLite file `relay.sqlite` in `directory`. While `body` runs, `database(of: directory)` answers it, so servers
    /// started on the same data directory share the same data on either engine.
    public static func withFresh<T>(in directory: URL, _ body: (DatabaseLocation) async throws -> T) async throws -> T {
        guard let server else { return try await body(.sqlite(directory.appendingPathComponent("relay.sqlite"))) }
        return try await PostgresTestSlots.shared.holding { try await withFresh(on: server, in: directory, body) }
    }

    private static func withFresh<T>(
        on server: PostgresLocation, in directory: URL, _ body: (DatabaseLocation) async throws -> T
    ) async throws -> T {
        let name = "relay_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        guard let created = await bounded(.seconds(60), { try await administer(server, "CREATE DATABASE \(name)") }) else {
            throw TestDatabaseError(description: "CREATE DATABASE \(name) did not finish within a minute")
        }
        try created.get()
        var location = server
        location.database = name
        location.poolSize = 8
        location.tls = .disable
        registry.withLock { $0[directory.standardizedFileURL.path] = .postgres(location) }
        defer { _ = registry.withLock { $0.removeValue(forKey: directory.standardizedFileURL.path) } }
        // Dropping is tidiness on a throw-away cluster: it may not hold a test up (a drop was seen never to return).
        let drop = { await bounded(.seconds(20)) { try await administer(server, "DROP DATABASE \(name) WITH (FORCE)") } }
        do {
            let result = try await body(.postgres(location))
            _ = await drop()
            return result
        } catch {
            _ = await drop()
            throw error
        }
    }

    /// The database `withFresh` made for `directory` and is still running `body` with, if any.
    public static func database(of directory: URL) -> DatabaseLocation? {
        guard isPostgres else { return .sqlite(directory.appendingPathComponent("relay.sqlite")) }
        return registry.withLock { $0[directory.standardizedFileURL.path] }
    }

    private static let registry = Mutex<[String: DatabaseLocation]>([:])

    /// Everything the database keeps, as bytes to search: SQLite's main file and write-ahead log, or every row of
    /// every table of the PostgreSQL database as text.
    public static func storedBytes(of location: DatabaseLocation) async throws -> Data {
        switch location {
        case .sqlite(let file):
            var data = Data()
            for path in [file.path, file.path + "-wal"] { data += (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data() }
            return data
        case .postgres(let server):
            return try await withConnection(server) { connection in
                _ = try await connection.query("SELECT set_config('relay.workspace', '*', false)", logger: logger).collect()
                let tables = try await connection.query(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", logger: logger
                ).collect().map { try $0.decode(String.self) }
                var data = Data()
                for table in tables {
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT t::text FROM \(table) t"), logger: logger)
                    for try await text in rows.decode(String.self) { data += Data(text.utf8) }
                }
                return data
            }
        }
    }

    /// The claim token of every job of the queue that was claimed: `instance/claim`.
    public static func claimTokens(of location: DatabaseLocation) async throws -> [String] {
        switch location {
        case .sqlite(let file):
            let queue = try DatabaseQueue(path: file.path)
            return try await queue.read { db in
                try String.fetchAll(db, sql: "SELECT claim_token FROM background_job WHERE claim_token IS NOT NULL")
            }
        case .postgres(let server):
            return try await withConnection(server) { connection in
                _ = try await connection.query("SELECT set_config('relay.workspace', '*', false)", logger: logger).collect()
                let rows = try await connection.query("SELECT claim_token FROM background_job WHERE claim_token IS NOT NULL", logger: logger)
                var tokens: [String] = []
                for try await token in rows.decode(String.self) { tokens.append(token) }
                return tokens
            }
        }
    }

    /// Stores on a fresh database, ready for `body`.
    public static func withStores<T: Sendable>(_ body: @Sendable (RelayStores, DatabaseLocation) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-stores-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await withFresh(in: directory) { location in
            try await RelayDatabase.open(location, logger: logger).withReady { stores in try await body(stores, location) }
        }
    }

    /// The `--database-url` that names `location` for a relay process.
    public static func url(of location: DatabaseLocation) -> String {
        switch location {
        case .sqlite(let file): "sqlite://\(file.path)"
        case .postgres(let server):
            "postgres://\(server.user):\(server.password ?? "")@\(server.host):\(server.port)/\(server.database)?sslmode=disable&pool_size=\(server.poolSize)"
        }
    }

    /// Runs `body` while another connection holds a lock that makes writes to `tables` wait: SQLite's one write lock
    /// (every table), or PostgreSQL's `EXCLUSIVE` lock on those tables (reads go on).
    public static func withWritesBlocked<T: Sendable>(
        _ location: DatabaseLocation, tables: [String], _ body: () async throws -> T
    ) async throws -> T {
        switch location {
        case .sqlite(let file):
            return try await withSQLiteWriteLock(file, body)
        case .postgres(let server):
            return try await withConnection(server) { connection in
                _ = try await connection.query("BEGIN", logger: logger).collect()
                _ = try await connection.query(
                    PostgresQuery(unsafeSQL: "LOCK TABLE \(tables.joined(separator: ", ")) IN EXCLUSIVE MODE"), logger: logger
                ).collect()
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                _ = try await connection.query("ROLLBACK", logger: logger).collect()
                return try result.get()
            }
        }
    }

    /// Runs `body` on a plain connection to `server` as the test role.
    public static func withConnection<T>(_ server: PostgresLocation, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: server.host, port: server.port, username: server.user, password: server.password, database: server.database,
                tls: .disable
            ),
            id: 1, logger: logger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static let logger = Logger(label: "relay.test")

    struct TestDatabaseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `work`, but waits for it at most `limit`: `nil` when it did not finish in time (it is cancelled and left).
    /// Not a child task, so a call that never returns cannot hold the caller.
    static func bounded<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
        let (outcomes, outcome) = AsyncStream<Result<T, any Error>?>.makeStream()
        let worker = Task {
            do { outcome.yield(.success(try await work())) } catch { outcome.yield(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            outcome.yield(nil)
        }
        for await result in outcomes {
            timer.cancel()
            if result == nil { worker.cancel() }
            return result
        }
        return nil
    }

    /// Runs a statement on the server's own database. Creating databases from `template1` at once can meet another
    /// creation still copying it (SQLSTATE 55006): that is retried.
    private static func administer(_ server: PostgresLocation, _ sql: String) async throws {
        for attempt in 1...20 {
            do {
                _ = try await withConnection(server) { try await $0.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect() }
                return
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55006" && attempt < 20 {
                try await Task.sleep(for: .milliseconds(50 * attempt))
            } catch let error as PSQLError {
                throw TestDatabaseError(description: "\(sql): \(String(reflecting: error))")
            }
        }
    }

    private static func withSQLiteWriteLock<T: Sendable>(_ file: URL, _ body: () async throws -> T) async throws -> T {
        // The server under test writes now and then by itself (usage flushes, key stamps): wait for such a write to end
        // rather than fail to take the lock.
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let blocker = try DatabaseQueue(path: file.path, configuration: configuration)
        let release = DispatchSemaphore(value: 0)
        // GRDB wants a transaction to end within the access that began it, so the lock is held inside one access. That
        // access waits on GRDB's own queue; nothing here may wait on one of the few threads that run Swift tasks, or
        // two tests doing this at once on a 2-core machine take them all and the whole run stalls.
        let holder = Mutex<Task<Void, any Error>?>(nil)
        try await withCheckedThrowingContinuation { (locked: CheckedContinuation<Void, any Error>) in
            holder.withLock {
                $0 = Task.detached {
                    let held = Mutex(false)
                    do {
                        try await blocker.writeWithoutTransaction { db in
                            try db.execute(sql: "BEGIN IMMEDIATE")
                            held.withLock { $0 = true }
                            locked.resume()
                            release.wait()
                            try db.execute(sql: "ROLLBACK")
                        }
                    } catch {
                        if !held.withLock({ $0 }) { locked.resume(throwing: error) }
                        throw error
                    }
                }
            }
        }
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        release.signal()
        try await holder.withLock { $0 }?.value
        return try result.get()
    }
}
