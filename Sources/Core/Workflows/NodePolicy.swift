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

    var takesFailBranch: Bool {
        if case .failBranch = strategy { return true }
        return false
    }
}
