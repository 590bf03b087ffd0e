public import Core
public import Foundation

/// The result of inviting one address.
public struct InvitationResult: Sendable {
    public enum Status: String, Sendable {
        case success
        case failed
    }

    public let email: String
    public let status: Status
    /// Set for a new (pending) account: the token it activates with. Shown once; only its hash is stored.
    public let activationToken: String?
    public let message: String?
}

/// Who belongs to a workspace and with which role. Owners and admins manage members; only owners touch owners.
public struct MemberService: Sendable {
    public static let invitationLifetime: TimeInterval = 7 * 24 * 3600
    let store: WorkspaceStore
    let now: @Sendable () -> Date

    public init(store: WorkspaceStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    public func members(in scope: WorkspaceScope) async throws -> [Member] {
        try await store.members(of: scope.workspaceID)
    }

    /// Adds existing accounts at once and creates pending accounts with activation tokens for new addresses.
    public func invite(_ emails: [String], as role: Role, in scope: WorkspaceScope) async throws -> [InvitationResult] {
        try scope.require(\.canManageMembers, "Only owners and admins can invite members")
        guard role != .owner else {
            throw RelayError.invalidParam("role", "Invite as admin, editor or normal; promote to owner afterwards")
        }
        guard !emails.isEmpty else { throw RelayError.invalidParam("emails", "emails must list at least one address", type: "required") }
        guard emails.count <= 50 else { throw RelayError.invalidParam("emails", "Invite at most 50 addresses at once", type: "too_long") }
        let addresses = try emails.map(AccountRules.email)
        var results: [InvitationResult] = []
        for email in addresses {
            let token = SecretToken.random(count: 40)
            let outcome: InvitationOutcome
            do {
                outcome = try await store.invite(
                    email: email, role: role, to: scope.workspaceID, invitationTokenHash: SecretToken.hash(token),
                    expiresAt: now() + Self.invitationLifetime, at: now()
                )
            } catch let refusal as RelayError where refusal.code == .forbidden {
                // Each address is its own transaction: once one is stored, its token must reach the caller, so a plan
                // limit met part-way fails the rest address by address instead of the whole request.
                guard results.contains(where: { $0.status == .success }) else { throw refusal }
                results.append(InvitationResult(email: email, status: .failed, activationToken: nil, message: refusal.message))
                continue
            }
            switch outcome {
            case .added:
                results.append(InvitationResult(email: email, status: .success, activationToken: nil, message: nil))
            case .invited:
                results.append(InvitationResult(email: email, status: .success, activationToken: token, message: nil))
            case .alreadyMember:
                results.append(
                    InvitationResult(email: email, status: .failed, activationToken: nil, message: "Already a member of this workspace")
                )
            }
        }
        return results
    }

    public func changeRole(of member: AccountID, to role: Role, in scope: WorkspaceScope) async throws {
        let current = try await authorizeChange(of: member, in: scope)
        if role == .owner || current == .owner {
            try scope.require({ $0 == .owner }, "Only owners can grant or change the owner role")
        }
        try Self.check(try await store.changeRole(of: member, to: role, in: scope.workspaceID), member)
    }

    public func remove(_ member: AccountID, in scope: WorkspaceScope) async throws {
        let current = try await authorizeChange(of: member, in: scope)
        if current == .owner { try scope.require({ $0 == .owner }, "Only owners can remove an owner") }
        try Self.check(try await store.removeMember(member, from: scope.workspaceID), member)
    }

    /// The member's current role, after checking the caller may manage members at all.
    private func authorizeChange(of member: AccountID, in scope: WorkspaceScope) async throws -> Role {
        try scope.require(\.canManageMembers, "Only owners and admins can manage members")
        guard let membership = try await store.membership(of: member, in: scope.workspaceID) else {
            throw Self.notFound(member)
        }
        return membership.role
    }

    private static func check(_ change: MembershipChange, _ member: AccountID) throws {
        switch change {
        case .done: return
        case .notMember: throw notFound(member)
        case .lastOwner: throw RelayError.accessDenied("A workspace must keep at least one owner")
        }
    }

    private static func notFound(_ member: AccountID) -> RelayError { .notFound("Member \(member) not found") }
}
