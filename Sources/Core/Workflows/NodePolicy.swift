import Foundation

/// What happens when a node fails: retries first (where configured), then Dify's error strategy: fail the run (the
/// default), go on with default values, or take the node's `fail-branch`.
struct NodePolicy: Sendable {
    enum Strategy: Sendable {
        case failRun
        case defaultValue([String: JSONValue])
        case failBranch
    }

    var retries = 0
    var retryInterval: Duration = .zero
    /// With Dify's `exponential_backoff`: each wait `multiplier` times the last, up to `maxInterval`.
    var backoffMultiplier: Double = 1
    var maxInterval: Duration = .zero
    var strategy: Strategy = .failRun
    /// The node's own bound on one attempt (`timeout` in seconds); `nil` for the server's default where one applies.
    var timeout: Duration?

    /// The most retries a node may ask for, and the longest wait between two.
    static let maxRetries = 10
    static let maxInterval: Duration = .seconds(60)

    init() {}

    init(_ configuration: inout NodeConfiguration) {
        let retry = configuration["retry_config"]
        if retry["enabled"].bool == true {
            let count = retry["max_retries"].int ?? 0
            if count < 0 || count > Self.maxRetries {
                configuration.problem("retry_config.max_retries", "max_retries must be between 0 and \(Self.maxRetries)")
            }
            retries = min(max(count, 0), Self.maxRetries)
            let interval = retry["retry_interval"].int ?? 1000
            if interval < 0 { configuration.problem("retry_config.retry_interval", "retry_interval must not be negative") }
            retryInterval = min(.milliseconds(max(interval, 0)), Self.maxInterval)
            let backoff = retry["exponential_backoff"]
            if backoff["enabled"].bool == true {
                let multiplier = backoff["multiplier"].number ?? 2
                if !(1...10).contains(multiplier) {
                    configuration.problem("retry_config.exponential_backoff.multiplier", "multiplier must be from 1 to 10")
                }
                backoffMultiplier = min(max(multiplier, 1), 10)
                maxInterval = min(.milliseconds(max(backoff["max_interval"].int ?? 10_000, 0)), Self.maxInterval)
            } else {
                maxInterval = retryInterval
            }
        }
        if case .number(let seconds) = configuration["timeout"] {
            if seconds > 0, seconds <= 3600 {
                timeout = .milliseconds(Int64(seconds * 1000))
            } else {
                configuration.problem("timeout", "timeout must be more than 0 and at most 3600 seconds")
            }
        }
        switch configuration["error_strategy"].string {
        case nil, "none": break
        case "fail-branch": strategy = .failBranch
        case "default-value":
            var defaults: [String: JSONValue] = [:]
            for (index, item) in configuration["default_value"].array.enumerated() {
                guard let key = item["key"].string, !key.isEmpty else {
                    configuration.problem("default_value[\(index)].key", "every default value needs the output it stands for")
                    continue
                }
                defaults[key] = item["value"]
            }
            strategy = .defaultValue(defaults)
        case let other?:
            configuration.problem("error_strategy", "error_strategy must be fail-branch or default-value, not \(other)")
        }
    }

    /// The wait before retry number `attempt` (1 for the first).
    func wait(beforeRetry attempt: Int) -> Duration {
        guard backoffMultiplier > 1 else { return retryInterval }
        let grown = retryInterval * pow(backoffMultiplier, Double(attempt - 1))
        return max(retryInterval, min(grown, maxInterval))
    }

    var takesFailBranch: Bool {
        if case .failBranch = strategy { return true }
        return false
    }
}
