public import CoreMetrics
import Metrics

/// Waits for a pooled database connection: SQLite's writer (one) and readers, PostgreSQL's pool. SQLite records only
/// transactions that found no connection free; PostgreSQL every lease, since its pool does not say which waited.
public struct DatabaseMetrics: Sendable {
    let sqliteWriter: Timer
    let sqliteReaders: Timer
    let postgres: Timer

    public init(factory: any MetricsFactory) {
        func timer(_ pool: String) -> Timer {
            Timer(label: "relay_database_pool_wait_seconds", dimensions: [("pool", pool)], factory: factory)
        }
        sqliteWriter = timer("sqlite_writer")
        sqliteReaders = timer("sqlite_readers")
        postgres = timer("postgres")
    }

    public static let disabled = DatabaseMetrics(factory: NOOPMetricsHandler.instance)
}
