public import Foundation

/// Requests (and, once chat exists, tokens and credits) counted against one API key of one app on one UTC day.
public struct UsageIncrement: Sendable, Hashable {
    public let workspaceID: WorkspaceID
    public let appID: AppID
    public let apiKeyID: APIKeyID
    /// Days since 1970, UTC.
    public let day: Int

    public init(workspaceID: WorkspaceID, appID: AppID, apiKeyID: APIKeyID, day: Int) {
        self.workspaceID = workspaceID
        self.appID = appID
        self.apiKeyID = apiKeyID
        self.day = day
    }
}

/// Recorded usage totals: Public API requests, and the model tokens their messages used.
public struct UsageTotals: Sendable, Equatable {
    public var requests: Int
    public var tokens: Int

    public init(requests: Int = 0, tokens: Int = 0) {
        self.requests = requests
        self.tokens = tokens
    }

    public static func + (lhs: UsageTotals, rhs: UsageTotals) -> UsageTotals {
        UsageTotals(requests: lhs.requests + rhs.requests, tokens: lhs.tokens + rhs.tokens)
    }

    public static func += (lhs: inout UsageTotals, rhs: UsageTotals) {
        lhs.requests += rhs.requests
        lhs.tokens += rhs.tokens
    }
}

/// Storage of usage, written in batches.
public protocol UsageStore: Sendable {
    /// Adds request and token counts, one transaction for the whole batch.
    func add(_ counts: [UsageIncrement: UsageTotals]) async throws
    /// Totals of a workspace from `fromDay` on, overall and per app and per key.
    func totals(of workspace: WorkspaceID, fromDay: Int) async throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
}
