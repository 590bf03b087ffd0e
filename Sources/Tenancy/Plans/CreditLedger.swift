public import Core
public import Foundation

/// Message credits: reserved before the work that spends them, settled with what it really spent.
///
/// So 200 concurrent requests against 10 remaining credits admit at most 10, however long each runs.
public struct CreditLedger: Sendable {
    let store: CreditStore

    public init(store: CreditStore) {
        self.store = store
    }

    /// What running work holds: settle it (or give it back) when the work ends.
    public struct Reservation: Sendable {
        public let workspaceID: WorkspaceID
        public let month: Int
        public let amount: Int
    }

    /// Reserves `amount` credits of the workspace's monthly allowance; 400 `provider_quota_exceeded` when they are gone.
    public func reserve(_ amount: Int, for workspace: WorkspaceID, limits: PlanLimits, at date: Date) async throws -> Reservation {
        let month = UTCMonth.number(containing: date)
        guard try await store.reserve(amount, for: workspace, month: month, limit: limits.messageCreditsPerMonth) else {
            throw RelayError(
                .providerQuotaExceeded,
                "This workspace has used its \(limits.messageCreditsPerMonth) message credits for this month"
            )
        }
        return Reservation(workspaceID: workspace, month: month, amount: amount)
    }

    /// Ends a reservation, spending `used` of it (at most what was reserved).
    public func settle(_ reservation: Reservation, used: Int) async throws {
        try await store.settle(
            reserved: reservation.amount, used: min(max(0, used), reservation.amount), for: reservation.workspaceID,
            month: reservation.month
        )
    }

    public func used(by workspace: WorkspaceID, at date: Date) async throws -> Int {
        try await store.balance(of: workspace, month: UTCMonth.number(containing: date)).used
    }
}
