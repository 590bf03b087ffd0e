public import Foundation
public import Logging
public import ServiceLifecycle

/// Where stop requests for tasks of other instances are recorded: messages and workflow runs.
public protocol StopRequests: Sendable {
    /// Running tasks, in any workspace, whose stop was requested at or after `date`, with when.
    func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)]
}

/// Carries stop requests between instances sharing a database: an instance asked to stop a task it does not run
/// records the request, and the instance that runs it finds it here within `interval`.
public struct StopRequestWatcher: Service {
    let sources: [any StopRequests]
    let tasks: RunningTasks
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        sources: [any StopRequests], tasks: RunningTasks, interval: Duration = .milliseconds(200), logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.sources = sources
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
                    var latest = seen
                    for source in sources {
                        for request in try await source.stopRequests(after: seen) {
                            tasks.stop(request.taskID)
                            latest = max(latest, request.requestedAt)
                        }
                    }
                    seen = latest
                } catch {
                    logger.warning("Stop requests could not be read", metadata: ["error": "\(RelayError.logDescription(of: error))"])
                }
            }
        }
    }
}
