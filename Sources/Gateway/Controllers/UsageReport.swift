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
        let resetIn: Int

        enum CodingKeys: String, CodingKey {
            case limit, used, remaining
            case resetIn = "reset_in"
        }
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
        let requestsToday: Int
        let requestsThisMonth: Int
        let tokensToday: Int
        let tokensThisMonth: Int
        let apps: [Count]
        let apiKeys: [Count]

        enum CodingKeys: String, CodingKey {
            case requestsToday = "requests_today"
            case requestsThisMonth = "requests_this_month"
            case tokensToday = "tokens_today"
            case tokensThisMonth = "tokens_this_month"
            case apps
            case apiKeys = "api_keys"
        }
    }

    let workspaceID: String
    let plan: String
    let overrides: [String: Int]
    /// Every limit by name; 0 means unlimited.
    let limits: [String: Int]
    /// Public API requests per window, against the workspace's plan; windows without a limit are left out.
    let requests: [String: Window]
    let members: Quota
    let apps: Quota
    let messageCredits: Quota
    /// Bytes of uploaded files.
    let fileStorage: Quota
    /// Dataset documents held, and bytes of segment text and vectors.
    let documents: Quota
    let vectorSpace: Quota
    let messageCreditsResetIn: Int
    let usage: Totals

    enum CodingKeys: String, CodingKey {
        case workspaceID = "workspace_id"
        case plan, overrides, limits, requests, members, apps
        case messageCredits = "message_credits"
        case fileStorage = "file_storage"
        case documents
        case vectorSpace = "vector_space"
        case messageCreditsResetIn = "message_credits_reset_in"
        case usage
    }

    static func make(for workspace: WorkspaceID, services: RelayServices) async throws -> UsageReport {
        let date = services.now()
        let plan = try await services.plans.workspacePlan(workspace)
        let limits = plan.limits
        let counts = try await services.plans.resourceCounts(of: workspace)
        let standing = try await services.limiter.peek([RateLimitRule].workspace(plan: limits, workspace: workspace), at: date)
        var requests: [String: Window] = [:]
        for (window, state) in standing.windows {
            requests[window.rawValue] = Window(
                limit: state.rule.limit, used: state.hits, remaining: state.remaining, resetIn: standing.secondsUntilReset(window)
            )
        }
        let (monthStart, nextMonth) = UTCMonth.bounds(containing: date)
        let today = UsageRecorder.day(of: date)
        let month = try await services.usage.totals(of: workspace, fromDay: UsageRecorder.day(of: monthStart))
        let day = try await services.usage.totals(of: workspace, fromDay: today)
        let knowledge = try await services.datasets.usage(of: workspace)
        return UsageReport(
            workspaceID: workspace.description, plan: plan.plan.name, overrides: plan.overrides,
            limits: Dictionary(uniqueKeysWithValues: PlanLimits.keys.map { ($0.name, limits[keyPath: $0.path]) }),
            requests: requests, members: Quota(limit: limits.members, used: counts.members),
            apps: Quota(limit: limits.apps, used: counts.apps),
            messageCredits: Quota(limit: limits.messageCreditsPerMonth, used: try await services.credits.used(by: workspace, at: date)),
            fileStorage: Quota(limit: limits.fileStorage, used: try await services.files.storageUsed(by: workspace)),
            documents: Quota(limit: limits.documents, used: knowledge.documents),
            vectorSpace: Quota(limit: limits.vectorSpace, used: knowledge.vectorSpace),
            messageCreditsResetIn: Int(nextMonth.timeIntervalSince(date).rounded(.up)),
            usage: Totals(
                requestsToday: day.workspace.requests, requestsThisMonth: month.workspace.requests,
                tokensToday: day.workspace.tokens, tokensThisMonth: month.workspace.tokens,
                apps: month.apps.map { Count(id: $0.key.description, requests: $0.value.requests, tokens: $0.value.tokens) }
                    .sorted { $0.id < $1.id },
                apiKeys: month.keys.map { Count(id: $0.key.description, requests: $0.value.requests, tokens: $0.value.tokens) }
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
    let vectorSpace: Size
    let documentsUploadQuota: Size
    let messageCredits: Size

    enum CodingKeys: String, CodingKey {
        case enabled, subscription, members, apps
        case vectorSpace = "vector_space"
        case documentsUploadQuota = "documents_upload_quota"
        case messageCredits = "message_credits"
    }

    init(_ report: UsageReport) {
        enabled = true
        subscription = Subscription(plan: report.plan, interval: "month")
        members = Size(size: report.members.used, limit: report.members.limit)
        apps = Size(size: report.apps.used, limit: report.apps.limit)
        // Dify counts vector space in MB.
        vectorSpace = Size(size: report.vectorSpace.used / (1 << 20), limit: report.vectorSpace.limit / (1 << 20))
        documentsUploadQuota = Size(size: report.documents.used, limit: report.documents.limit)
        messageCredits = Size(size: report.messageCredits.used, limit: report.messageCredits.limit)
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
