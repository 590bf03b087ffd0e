/// Message credits of a workspace for one UTC month: spent, and reserved by work still running.
public struct CreditBalance: Sendable, Equatable {
    public let used: Int
    public let reserved: Int

    public init(used: Int, reserved: Int) {
        self.used = used
        self.reserved = reserved
    }
}

/// Storage of message credits. Reserving checks and books in one atomic step, so concurrent work cannot overspend.
public protocol CreditStore: Sendable {
    /// Books `amount` as reserved when `used + reserved + amount` stays within `limit` (0: unlimited); `false` otherwise.
    func reserve(_ amount: Int, for workspace: WorkspaceID, month: Int, limit: Int) async throws -> Bool
    /// Ends a reservation of `reserved`, of which `used` was spent (0 to give it all back).
    func settle(reserved: Int, used: Int, for workspace: WorkspaceID, month: Int) async throws
    func balance(of workspace: WorkspaceID, month: Int) async throws -> CreditBalance
}
