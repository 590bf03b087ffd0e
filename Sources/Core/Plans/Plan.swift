/// What a plan allows. Every limit is a count; 0 means unlimited.
public struct PlanLimits: Sendable, Equatable, Codable {
    public var requestsPerMinute: Int
    public var requestsPerHour: Int
    public var requestsPerDay: Int
    public var members: Int
    public var apps: Int
    public var documents: Int
    /// Bytes of stored vectors and text.
    public var vectorSpace: Int
    public var messageCreditsPerMonth: Int
    /// Requests of one app in flight at once, blocking and streaming alike.
    public var maxActiveRequests: Int
    /// Bytes of files uploaded through the Public API.
    public var fileStorage: Int

    public init(
        requestsPerMinute: Int = 0, requestsPerHour: Int = 0, requestsPerDay: Int = 0, members: Int = 0, apps: Int = 0,
        documents: Int = 0, vectorSpace: Int = 0, messageCreditsPerMonth: Int = 0, maxActiveRequests: Int = 0, fileStorage: Int = 0
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.requestsPerHour = requestsPerHour
        self.requestsPerDay = requestsPerDay
        self.members = members
        self.apps = apps
        self.documents = documents
        self.vectorSpace = vectorSpace
        self.messageCreditsPerMonth = messageCreditsPerMonth
        self.maxActiveRequests = maxActiveRequests
        self.fileStorage = fileStorage
    }

    /// The wire and CLI name of each limit, and where it lives. Key paths are immutable values; the array is never changed.
    nonisolated(unsafe) public static let keys: [(name: String, path: WritableKeyPath<PlanLimits, Int>)] = [
        ("rpm", \.requestsPerMinute), ("rph", \.requestsPerHour), ("rpd", \.requestsPerDay), ("members", \.members),
        ("apps", \.apps), ("documents", \.documents), ("vector_space", \.vectorSpace),
        ("message_credits", \.messageCreditsPerMonth), ("max_active_requests", \.maxActiveRequests),
        ("file_storage", \.fileStorage),
    ]

    public static func path(named name: String) -> WritableKeyPath<PlanLimits, Int>? {
        keys.first { $0.name == name }?.path
    }

    /// These limits with `overrides` (by key name) applied; unknown names are ignored.
    public func applying(_ overrides: [String: Int]) -> PlanLimits {
        var limits = self
        for (name, value) in overrides {
            if let path = Self.path(named: name) { limits[keyPath: path] = value }
        }
        return limits
    }

    /// Checks each override names a limit and is a non-negative count; throws `invalid_param` otherwise.
    public static func validate(_ overrides: [String: Int], field: String) throws {
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard path(named: name) != nil else {
                throw RelayError.invalidParam(
                    field, "Unknown limit '\(name)'; limits are \(keys.map(\.name).joined(separator: ", "))", type: "enum"
                )
            }
            guard value >= 0 else { throw RelayError.invalidParam(field, "Limit '\(name)' must be 0 (unlimited) or more") }
        }
    }
}

/// A named plan: what operators sell and assign to workspaces.
public struct Plan: Sendable, Equatable {
    public let name: String
    public var limits: PlanLimits

    public init(name: String, limits: PlanLimits) {
        self.name = name
        self.limits = limits
    }
}

/// The plan a workspace is on, with its per-workspace overrides, and the limits that result.
public struct WorkspacePlan: Sendable, Equatable {
    public let workspaceID: WorkspaceID
    public let plan: Plan
    public let overrides: [String: Int]

    public init(workspaceID: WorkspaceID, plan: Plan, overrides: [String: Int]) {
        self.workspaceID = workspaceID
        self.plan = plan
        self.overrides = overrides
    }

    public var limits: PlanLimits { plan.limits.applying(overrides) }
}

/// Storage of plans and of which plan each workspace is on.
public protocol PlanStore: Sendable {
    func plans() async throws -> [Plan]
    /// Creates a plan or sets some of its limits (by key name), in one transaction so concurrent changes of different
    /// limits both stand; limits not named keep their value (0 for a new plan). Returns the plan as stored.
    func define(_ name: String, limits changes: [String: Int]) async throws -> Plan
    /// `nil` when there is no such workspace.
    func workspacePlan(_ workspace: WorkspaceID) async throws -> WorkspacePlan?
    /// Puts a workspace on a plan with these overrides. Throws `not_found` for an unknown plan or workspace.
    func assign(_ plan: String, overrides: [String: Int], to workspace: WorkspaceID) async throws
    /// Counts of what a workspace holds now, for the quotas that count stored things.
    func resourceCounts(of workspace: WorkspaceID) async throws -> ResourceCounts
}

public struct ResourceCounts: Sendable, Equatable {
    public let members: Int
    public let apps: Int

    public init(members: Int, apps: Int) {
        self.members = members
        self.apps = apps
    }
}
