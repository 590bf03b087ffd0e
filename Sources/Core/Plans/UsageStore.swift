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

/// Recorded usage totals.
public struct UsageTotals: Sendable, Equatable {
    public var requests: Int

    public init(requests: Int = 0) {
        self.requests = requests
    }
}

/// Storage of usage, written in batches.
public protocol UsageStore: Sendable {
    /// Adds request counts, one transaction for the whole batch.
    func add(_ requests: [UsageIncrement: Int]) async throws
    /// Totals of a workspace from `fromDay` on, overall and per app and per key.
    func totals(of workspace: WorkspaceID, fromDay: Int) async throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
}
