public import Core

/// One budget: so many requests per window for one holder (a workspace, an app, an account).
public struct RateLimitRule: Sendable, Hashable {
    /// Who the budget belongs to, for messages: "workspace", "app", "account".
    public let holder: String
    /// Identifies the budget across instances, e.g. `ws:<id>`.
    public let key: String
    public let window: RateWindow
    public let limit: Int

    public init(holder: String, key: String, window: RateWindow, limit: Int) {
        self.holder = holder
        self.key = key
        self.window = window
        self.limit = limit
    }
}

extension [RateLimitRule] {
    /// The Public API's budgets for a request to `app`: its workspace's plan (RPM, RPH, RPD) and the app's own
    /// `api_rpm`/`api_rph` when set. Zero means unlimited and makes no rule.
    public static func publicAPI(plan: PlanLimits, workspace: WorkspaceID, app: App) -> [RateLimitRule] {
        let appKey = "app:\(app.id)"
        return Self.workspace(plan: plan, workspace: workspace)
            + [
                RateLimitRule(holder: "app", key: appKey, window: .minute, limit: app.apiRPM),
                RateLimitRule(holder: "app", key: appKey, window: .hour, limit: app.apiRPH),
            ].filter { $0.limit > 0 }
    }

    /// A workspace's own Public API budgets (RPM, RPH, RPD), shared by all its apps and keys.
    public static func workspace(plan: PlanLimits, workspace: WorkspaceID) -> [RateLimitRule] {
        let key = "ws:\(workspace)"
        return [
            RateLimitRule(holder: "workspace", key: key, window: .minute, limit: plan.requestsPerMinute),
            RateLimitRule(holder: "workspace", key: key, window: .hour, limit: plan.requestsPerHour),
            RateLimitRule(holder: "workspace", key: key, window: .day, limit: plan.requestsPerDay),
        ].filter { $0.limit > 0 }
    }

    /// Per-account budgets for console calls that change things.
    public static func consoleWrites(account: AccountID, perMinute: Int, perHour: Int) -> [RateLimitRule] {
        [
            RateLimitRule(holder: "account", key: "acct:\(account)", window: .minute, limit: perMinute),
            RateLimitRule(holder: "account", key: "acct:\(account)", window: .hour, limit: perHour),
        ].filter { $0.limit > 0 }
    }
}
