public import CoreMetrics
import Metrics
import Synchronization

/// This process's traffic as running totals: requests by status class and their latencies, model tokens, and both per
/// workspace. The operator's status page draws its series from them; per-workspace requests and tokens also go to
/// Prometheus, one series per workspace for the first ``workspaceLimit`` workspaces seen and `other` after that.
public final class TrafficMetrics: Sendable {
    /// Workspaces given a series (and a place on the status page) of their own.
    public static let workspaceLimit = 500

    /// Totals since the process started.
    public struct Snapshot: Sendable {
        public var requests = 0
        /// 4xx answers.
        public var clientErrors = 0
        /// 5xx answers.
        public var serverErrors = 0
        /// Requests per latency bucket (``MetricBuckets/latency``), not cumulative; the last counts those above 60 s.
        public var latencyCounts = [Int](repeating: 0, count: MetricBuckets.latency.count + 1)
        public var inputTokens = 0
        public var outputTokens = 0
        public var workspaces: [WorkspaceID: WorkspaceTotals] = [:]
    }

    public struct WorkspaceTotals: Sendable, Equatable {
        public var requests: Int
        public var tokens: Int

        public init(requests: Int = 0, tokens: Int = 0) {
            self.requests = requests
            self.tokens = tokens
        }
    }

    private struct WorkspaceCounters {
        let requests: Counter
        let tokens: Counter
    }

    private struct State {
        var totals = Snapshot()
        var labels = BoundedLabels<WorkspaceID>(limit: TrafficMetrics.workspaceLimit)
        var counters: [WorkspaceID: WorkspaceCounters] = [:]
    }

    private let factory: any MetricsFactory
    private let state = Mutex(State())
    private let otherWorkspaces: WorkspaceCounters

    public init(factory: any MetricsFactory) {
        self.factory = factory
        otherWorkspaces = Self.counters(for: "other", factory: factory)
    }

    /// Counts one answered request: its status, how long it took, and its workspace when one was known.
    public func recordRequest(status: Int, seconds: Double, workspace: WorkspaceID?) {
        let bucket = MetricBuckets.latencyBucket(of: seconds)
        let counters = state.withLock { state -> WorkspaceCounters? in
            state.totals.requests += 1
            if status >= 500 {
                state.totals.serverErrors += 1
            } else if status >= 400 {
                state.totals.clientErrors += 1
            }
            state.totals.latencyCounts[bucket] += 1
            guard let workspace else { return nil }
            return Self.add(WorkspaceTotals(requests: 1), to: workspace, in: &state, factory: factory)
        }
        guard workspace != nil else { return }
        (counters ?? otherWorkspaces).requests.increment()
    }

    /// Counts the tokens of one model call, in and out, against its workspace.
    public func recordTokens(input: Int, output: Int, workspace: WorkspaceID?) {
        let input = max(0, input)
        let output = max(0, output)
        let counters = state.withLock { state -> WorkspaceCounters? in
            state.totals.inputTokens += input
            state.totals.outputTokens += output
            guard let workspace else { return nil }
            return Self.add(WorkspaceTotals(tokens: input + output), to: workspace, in: &state, factory: factory)
        }
        guard workspace != nil, input + output > 0 else { return }
        (counters ?? otherWorkspaces).tokens.increment(by: input + output)
    }

    public func snapshot() -> Snapshot {
        state.withLock { $0.totals }
    }

    /// Adds to a workspace's totals; returns its counters, or `nil` when it is one of the `other` workspaces.
    private static func add(
        _ totals: WorkspaceTotals, to workspace: WorkspaceID, in state: inout State, factory: any MetricsFactory
    ) -> WorkspaceCounters? {
        if let counters = state.counters[workspace] {
            state.totals.workspaces[workspace, default: WorkspaceTotals()].add(totals)
            return counters
        }
        guard state.labels.admits(workspace) else { return nil }
        // Made once per workspace, under the lock: a second request of a new workspace must not make its own.
        let counters = Self.counters(for: workspace.description, factory: factory)
        state.counters[workspace] = counters
        state.totals.workspaces[workspace, default: WorkspaceTotals()].add(totals)
        return counters
    }

    private static func counters(for label: String, factory: any MetricsFactory) -> WorkspaceCounters {
        WorkspaceCounters(
            requests: Counter(label: "relay_workspace_requests_total", dimensions: [("workspace_id", label)], factory: factory),
            tokens: Counter(label: "relay_workspace_tokens_total", dimensions: [("workspace_id", label)], factory: factory)
        )
    }
}

extension TrafficMetrics.WorkspaceTotals {
    mutating func add(_ other: Self) {
        requests += other.requests
        tokens += other.tokens
    }
}
