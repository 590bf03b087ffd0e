import PostgresNIO
import ServiceLifecycle

/// Runs the connection pool until the server stops, then asks it to close its connections and waits for that a short
/// while only: once cancelled, postgres-nio 1.33.2's `run()` has been seen never to return (rarely, with several pools
/// stopping at once, as in a busy test run), and a server must not hang on its way out. The process ending closes
/// whatever is left.
struct PostgresPoolService: Service {
    let client: PostgresClient
    /// Longest wait for the pool to close once the server stops.
    let closingPatience: Duration = .seconds(2)

    func run() async throws {
        let pool = Task { await client.run() }
        try? await gracefulShutdown()
        pool.cancel()
        let (ended, signal) = AsyncStream<Void>.makeStream()
        let waiter = Task {
            await pool.value
            signal.yield()
        }
        let timer = Task {
            try? await Task.sleep(for: closingPatience)
            signal.yield()
        }
        for await _ in ended { break }
        waiter.cancel()
        timer.cancel()
    }
}
