public import Foundation
public import Logging
public import ServiceLifecycle

/// Carries stop requests between instances sharing a database: an instance asked to stop a task it does not run
/// records the request, and the instance that runs it finds it here within `interval`.
public struct ChatStopWatcher: Service {
    let store: any ChatStore
    let tasks: ChatTasks
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(store: any ChatStore, tasks: ChatTasks, interval: Duration = .milliseconds(200), logger: Logger, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.tasks = tasks
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            // Requests made before this instance started concern tasks it never ran.
            var seen = now()
            while true {
                try await Task.sleep(for: interval)
                // Nothing runs here, so nothing here can be asked to stop; requests pile up for the instances that run them.
                guard !tasks.isEmpty else {
                    seen = max(seen, now().addingTimeInterval(-5))
                    continue
                }
                do {
                    for request in try await store.stopRequests(after: seen) {
                        tasks.stop(request.taskID)
                        seen = max(seen, request.requestedAt)
                    }
                } catch {
                    logger.warning("Stop requests could not be read", metadata: ["error": "\(RelayError.logDescription(of: error))"])
                }
            }
        }
    }
}
