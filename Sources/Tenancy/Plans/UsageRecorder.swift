public import Core
public import Foundation
public import ServiceLifecycle
public import Logging
import Synchronization

/// Counts Public API requests per workspace, app and key without a database write per request: counts gather in
/// memory and are written in one transaction a second (and at shutdown). Reads add what is not written yet.
public final class UsageRecorder: Service, Sendable {
    let store: any UsageStore
    let interval: Duration
    let logger: Logger
    private let pending = Mutex<[UsageIncrement: Int]>([:])

    public init(store: any UsageStore, interval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func record(_ grant: PublicGrant, at date: Date) {
        let increment = UsageIncrement(
            workspaceID: grant.workspaceID, appID: grant.app.id, apiKeyID: grant.key.id, day: Self.day(of: date)
        )
        pending.withLock { $0[increment, default: 0] += 1 }
    }

    /// Writes what has gathered; on failure keeps it for the next attempt.
    public func flush() async {
        let batch = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.add(batch)
        } catch {
            pending.withLock { pending in pending.merge(batch, uniquingKeysWith: +) }
            logger.warning("Usage could not be written; will retry", metadata: ["error": "\(error)"])
        }
    }

    /// Requests of a workspace from `fromDay` on: written totals plus this instance's unwritten counts.
    public func totals(of workspace: WorkspaceID, fromDay: Int) async throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
    {
        var (total, apps, keys) = try await store.totals(of: workspace, fromDay: fromDay)
        for (increment, count) in pending.withLock({ $0 }) where increment.workspaceID == workspace && increment.day >= fromDay {
            total.requests += count
            apps[increment.appID, default: UsageTotals()].requests += count
            keys[increment.apiKeyID, default: UsageTotals()].requests += count
        }
        return (total, apps, keys)
    }

    /// Flushes every `interval` until shutdown begins, then once more so nothing counted is lost.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: self.interval)
                await self.flush()
            }
        }
        await flush()
    }

    /// Days since 1970, UTC.
    public static func day(of date: Date) -> Int {
        Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }
}
