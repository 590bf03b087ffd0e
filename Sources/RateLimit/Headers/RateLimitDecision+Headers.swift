extension RateLimitDecision {
    /// The response header fields announcing the budgets: `X-RateLimit-*` for the most restrictive window and for
    /// each window, the IETF draft's `RateLimit-Policy` and `RateLimit`, and `Retry-After` when refused.
    public var headers: [(name: String, value: String)] {
        guard let binding = mostRestrictive else { return [] }
        var fields: [(name: String, value: String)] = [
            ("X-RateLimit-Limit", "\(binding.state.rule.limit)"),
            ("X-RateLimit-Remaining", "\(binding.state.remaining)"),
            ("X-RateLimit-Reset", "\(secondsUntilReset(binding.window))"),
        ]
        for (window, state) in windows {
            fields.append(("X-RateLimit-Limit-\(window.headerSuffix)", "\(state.rule.limit)"))
            fields.append(("X-RateLimit-Remaining-\(window.headerSuffix)", "\(state.remaining)"))
        }
        let policies = windows.map { "\"\($0.window.rawValue)\";q=\($0.state.rule.limit);w=\($0.window.seconds)" }
        fields.append(("RateLimit-Policy", policies.joined(separator: ", ")))
        fields.append(
            ("RateLimit", "\"\(binding.window.rawValue)\";r=\(binding.state.remaining);t=\(secondsUntilReset(binding.window))")
        )
        if let retryAfter { fields.append(("Retry-After", "\(retryAfter)")) }
        return fields
    }
}
