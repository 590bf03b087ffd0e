import GRDB
import PostgresNIO

extension RelayError {
    /// The API's answer to a storage failure the client did not cause and may retry: 503 `service_unavailable` when
    /// another process holds the SQLite file, or PostgreSQL is unreachable, shutting down, out of connections, timed out
    /// or chose this transaction to fail a conflict. `nil` for anything else, which stays an internal error.
    public init?(storage error: any Error) {
        guard Self.isTransient(error) else { return nil }
        self.init(.serviceUnavailable, "The database is unavailable or busy; try again shortly", underlying: error)
    }

    private static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as SQLiteError:
            return error.isBusy
        case let error as DatabaseError:
            return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
                .queryCancelled:
                return true
            case .server:
                // Connection (08), resources (53), operator intervention incl. timeouts (57), lock not available,
                // serialization failure and deadlock.
                let state = error.sqlState ?? ""
                return ["08", "53", "57"].contains(String(state.prefix(2))) || ["55P03", "40001", "40P01"].contains(state)
            default:
                return false
            }
        case is PostgresUnavailable:
            return true
        default:
            // The pool gives up connecting for a while after repeated failures; its error type lives in a module
            // postgres-nio does not export.
            return String(describing: type(of: error)) == "ConnectionPoolError"
        }
    }
}

extension RelayError {
    /// What to log of an error: PostgreSQL's errors describe themselves generically unless asked for their details
    /// (the server's message, the statement; bound values stay masked).
    public static func logDescription(of error: any Error) -> String {
        switch error {
        case let error as PSQLError: String(reflecting: error)
        case let error as PostgresTransactionError: String(reflecting: error)
        default: "\(error)"
        }
    }
}

extension SQLTransaction {
    /// Whether `error` is a unique or primary-key constraint refusing a row, on either engine.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        switch error {
        case let error as SQLiteError: error.isUniqueViolation
        case let error as PSQLError: error.isUniqueViolation
        default: false
        }
    }
}
