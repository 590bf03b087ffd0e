public import CoreMetrics
import Metrics
import Synchronization

/// Calls to upstream models by provider and model: how many, how long, how many failed (by error code) and the tokens
/// they used, in and out. Models are named by users (any name an OpenAI-compatible server accepts), so the first
/// ``modelLimit`` provider and model pairs seen get series of their own and later ones share the model `other`.
public final class ModelCallMetrics: Sendable {
    public static let modelLimit = 200

    struct Key: Hashable, Sendable {
        let provider: String
        let model: String
        let type: ModelType
    }

    private struct Instruments {
        let calls: Counter
        let duration: Timer
        let inputTokens: Counter
        let outputTokens: Counter
    }

    private struct State {
        var labels = BoundedLabels<Key>(limit: ModelCallMetrics.modelLimit)
        var instruments: [Key: Instruments] = [:]
        var errors: [String: Counter] = [:]
    }

    private let factory: any MetricsFactory
    private let traffic: TrafficMetrics?
    private let state = Mutex(State())

    /// `traffic`: where the tokens also count, for the status page and per workspace.
    public init(factory: any MetricsFactory, traffic: TrafficMetrics?) {
        self.factory = factory
        self.traffic = traffic
    }

    /// One ended call. `error` is `nil` for a call that answered; tokens count whichever way it ended.
    func record(_ key: Key, duration: Duration, tokens: TokenCounts?, error: (any Error)?, workspace: WorkspaceID) {
        let (instruments, errors) = state.withLock { state in
            let key = state.labels.admits(key) ? key : Key(provider: key.provider, model: "other", type: key.type)
            let instruments = state.instruments[key] ?? Self.instruments(for: key, factory: factory)
            state.instruments[key] = instruments
            guard let error else { return (instruments, nil as Counter?) }
            let code = Self.code(of: error)
            let name = "\(key.provider)\u{0}\(key.model)\u{0}\(key.type.rawValue)\u{0}\(code)"
            let counter =
                state.errors[name]
                ?? Counter(
                    label: "relay_upstream_errors_total",
                    dimensions: [("provider", key.provider), ("model", key.model), ("type", key.type.rawValue), ("code", code)],
                    factory: factory
                )
            state.errors[name] = counter
            return (instruments, counter)
        }
        instruments.calls.increment()
        instruments.duration.record(duration: duration)
        errors?.increment()
        if let tokens {
            instruments.inputTokens.increment(by: max(0, tokens.prompt))
            instruments.outputTokens.increment(by: max(0, tokens.completion))
            traffic?.recordTokens(input: tokens.prompt, output: tokens.completion, workspace: workspace)
        }
    }

    /// An error's code from the catalogue (a bounded set), `cancelled` when the caller went away, else `other`.
    static func code(of error: any Error) -> String {
        switch error {
        case let error as RelayError: error.code.name
        case is CancellationError: "cancelled"
        default: "other"
        }
    }

    private static func instruments(for key: Key, factory: any MetricsFactory) -> Instruments {
        let dimensions = [("provider", key.provider), ("model", key.model), ("type", key.type.rawValue)]
        return Instruments(
            calls: Counter(label: "relay_upstream_calls_total", dimensions: dimensions, factory: factory),
            duration: Timer(label: "relay_upstream_call_duration_seconds", dimensions: dimensions, factory: factory),
            inputTokens: Counter(
                label: "relay_upstream_tokens_total", dimensions: dimensions + [("direction", "input")], factory: factory
            ),
            outputTokens: Counter(
                label: "relay_upstream_tokens_total", dimensions: dimensions + [("direction", "output")], factory: factory
            )
        )
    }
}
