/// What a member may do in a workspace. Ordered from most to least powerful.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case owner
    case admin
    case editor
    case normal

    private var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .editor: 1
        case .normal: 0
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Creates, changes and deletes apps.
    public var canEditApps: Bool { self >= .editor }
    /// Invites, re-roles and removes members; issues and revokes API keys.
    public var canManageMembers: Bool { self >= .admin }
    public var canManageAPIKeys: Bool { self >= .admin }
    public var canViewAPIKeys: Bool { self >= .editor }
}
