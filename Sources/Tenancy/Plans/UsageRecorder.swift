public import Core
public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Counts Public API requests per workspace, app and key without a database write per request: counts gather in
/// memory and are written in one transaction a second (and at shutdown). Reads add what is not written yet.
public final class UsageRecorder: Service, Sendable {
    let store: UsageStore
    let interval: Duration
    let logger: Logger
    private let state = Mutex(State())

    struct State {
        /// Counted, not yet being written.
        var pending: [UsageIncrement: UsageTotals] = [:]
        /// Being written by the flush under way.
        var writing: [UsageIncrement: UsageTotals] = [:]
        /// How many flushes have begun: a read that saw none under way and none begin since saw a consistent total.
        var flushesBegun = 0
        var isFlushing = false
    }

    public init(store: UsageStore, interval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func record(_ grant: PublicGrant, at date: Date) {
        add(UsageTotals(requests: 1), for: grant, at: date)
    }

    /// Counts the model tokens a request's message used.
    public func recordTokens(_ tokens: Int, for grant: PublicGrant, at date: Date) {
        guard tokens > 0 else { return }
        add(UsageTotals(tokens: tokens), for: grant, at: date)
    }

    private func add(_ counts: UsageTotals, for grant: PublicGrant, at date: Date) {
        let increment = UsageIncrement(
            workspaceID: grant.workspaceID, appID: grant.app.id, apiKeyID: grant.key.id, day: Self.day(of: date)
        )
        state.withLock { $0.pending[increment, default: UsageTotals()] += counts }
    }

    /// Writes what has gathered; on failure keeps it for the next attempt. Flushes run one at a time.
    public func flush() async {
        let batch: [UsageIncrement: UsageTotals]? = state.withLock { state in
            guard !state.isFlushing, !state.pending.isEmpty else { return nil }
            state.isFlushing = true
            state.flushesBegun += 1
            swap(&state.writing, &state.pending)
            return state.writing
        }
        guard let batch else { return }
        var failure: (any Error)?
        do { try await store.add(batch) } catch { failure = error }
        state.withLock { state in
            if failure != nil { state.pending.merge(state.writing, uniquingKeysWith: +) }
            state.writing.removeAll(keepingCapacity: true)
            state.isFlushing = false
        }
        if let failure { logger.warning("Usage could not be written; will retry", metadata: ["error": "\(RelayError.logDescription(of: failure))"]) }
    }

    /// Requests of a workspace from `fromDay` on: written totals plus this instance's unwritten counts.
    ///
    /// A flush moves counts from memory to the database; a read that overlapped one could miss or double them, so it
    /// reads again until it did not.
    public func totals(
        of workspace: WorkspaceID, fromDay: Int
    ) async throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
    {
        while true {
            let (unwritten, begun, isFlushing) = state.withLock { ($0.pending, $0.flushesBegun, $0.isFlushing) }
            if isFlushing {
                try await Task.sleep(for: .milliseconds(2))
                continue
            }
            var (total, apps, keys) = try await store.totals(of: workspace, fromDay: fromDay)
            guard state.withLock({ $0.flushesBegun == begun }) else { continue }
            for (increment, counts) in unwritten where increment.workspaceID == workspace && increment.day >= fromDay {
                total += counts
                apps[increment.appID, default: UsageTotals()] += counts
                keys[increment.apiKeyID, default: UsageTotals()] += counts
            }
            return (total, apps, keys)
        }
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
