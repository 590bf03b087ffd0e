import Core
import Foundation
import Hummingbird
import RateLimit
import Tenancy

/// A workspace's plan, each limit, what is used of it and when it resets: the console's and the operator's view.
struct UsageReport: ResponseCodableBody {
    struct Window: Encodable {
        let limit: Int
        let used: Int
        let remaining: Int
        /// Seconds until the window resets.
        let reset_in: Int
    }

    struct Quota: Encodable {
        let limit: Int
        let used: Int
    }

    struct Count: Encodable {
        let id: String
        let requests: Int
        let tokens: Int
    }

    struct Totals: Encodable {
        let requests_today: Int
        let requests_this_month: Int
        let tokens_today: Int
        let tokens_this_month: Int
        let apps: [Count]
        let api_keys: [Count]
    }

    let workspace_id: String
    let plan: String
    let overrides: [String: Int]
    /// Every limit by name; 0 means unlimited.
    let limits: [String: Int]
    /// Public API requests per window, against the workspace's plan; windows without a limit are left out.
    let requests: [String: Window]
    let members: Quota
    let apps: Quota
    let message_credits: Quota
    /// Bytes of uploaded files.
    let file_storage: Quota
    /// Dataset documents held, and bytes of segment text and vectors.
    let documents: Quota
    let vector_space: Quota
    let message_credits_reset_in: Int
    let usage: Totals

    static func make(for workspace: WorkspaceID, services: RelayServices) async throws -> UsageReport {
        let date = services.now()
        let plan = try await services.plans.workspacePlan(workspace)
        let limits = plan.limits
        let counts = try await services.plans.resourceCounts(of: workspace)
        let standing = try await services.limiter.peek([RateLimitRule].workspace(plan: limits, workspace: workspace), at: date)
        var requests: [String: Window] = [:]
        for (window, state) in standing.windows {
            requests[window.rawValue] = Window(
                limit: state.rule.limit, used: state.hits, remaining: state.remaining, reset_in: standing.secondsUntilReset(window)
            )
        }
        let (monthStart, nextMonth) = UTCMonth.bounds(containing: date)
        let today = UsageRecorder.day(of: date)
        let month = try await services.usage.totals(of: workspace, fromDay: UsageRecorder.day(of: monthStart))
        let day = try await services.usage.totals(of: workspace, fromDay: today)
        let knowledge = try await services.datasets.usage(of: workspace)
        return UsageReport(
            workspace_id: workspace.description, plan: plan.plan.name, overrides: plan.overrides,
            limits: Dictionary(uniqueKeysWithValues: PlanLimits.keys.map { ($0.name, limits[keyPath: $0.path]) }),
            requests: requests, members: Quota(limit: limits.members, used: counts.members),
            apps: Quota(limit: limits.apps, used: counts.apps),
            message_credits: Quota(limit: limits.messageCreditsPerMonth, used: try await services.credits.used(by: workspace, at: date)),
            file_storage: Quota(limit: limits.fileStorage, used: try await services.files.storageUsed(by: workspace)),
            documents: Quota(limit: limits.documents, used: knowledge.documents),
            vector_space: Quota(limit: limits.vectorSpace, used: knowledge.vectorSpace),
            message_credits_reset_in: Int(nextMonth.timeIntervalSince(date).rounded(.up)),
            usage: Totals(
                requests_today: day.workspace.requests, requests_this_month: month.workspace.requests,
                tokens_today: day.workspace.tokens, tokens_this_month: month.workspace.tokens,
                apps: month.apps.map { Count(id: $0.key.description, requests: $0.value.requests, tokens: $0.value.tokens) }
                    .sorted { $0.id < $1.id },
                api_keys: month.keys.map { Count(id: $0.key.description, requests: $0.value.requests, tokens: $0.value.tokens) }
                    .sorted { $0.id < $1.id }
            )
        )
    }
}

/// Dify's `GET /console/api/billing/subscription` shape, from the same figures.
struct SubscriptionBody: ResponseCodableBody {
    struct Size: Encodable {
        let size: Int
        let limit: Int
    }

    struct Subscription: Encodable {
        let plan: String
        let interval: String
    }

    let enabled: Bool
    let subscription: Subscription
    let members: Size
    let apps: Size
    let vector_space: Size
    let documents_upload_quota: Size
    let message_credits: Size

    init(_ report: UsageReport) {
        enabled = true
        subscription = Subscription(plan: report.plan, interval: "month")
        members = Size(size: report.members.used, limit: report.members.limit)
        apps = Size(size: report.apps.used, limit: report.apps.limit)
        // Dify counts vector space in MB.
        vector_space = Size(size: report.vector_space.used / (1 << 20), limit: report.vector_space.limit / (1 << 20))
        documents_upload_quota = Size(size: report.documents.used, limit: report.documents.limit)
        message_credits = Size(size: report.message_credits.used, limit: report.message_credits.limit)
    }
}

/// `GET /console/api/workspaces/current/usage` and `GET /console/api/billing/subscription`.
struct UsageController {
    let services: RelayServices

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("workspaces/current/usage") { _, context in
            try await UsageReport.make(for: context.scope.workspaceID, services: services)
        }
        group.get("billing/subscription") { _, context in
            SubscriptionBody(try await UsageReport.make(for: context.scope.workspaceID, services: services))
        }
    }
}
