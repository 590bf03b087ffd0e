import Foundation

/// What stores refuse: one more than a plan allows, a name already taken.
extension RelayError {
    /// The answer to a plan limit that adding one more would exceed.
    static func planLimit(_ resource: String, allowed: Int, plan: String) -> RelayError {
        RelayError(
            .forbidden, "The '\(plan)' plan of this workspace allows \(allowed) \(resource); remove one or change plans",
            details: ["limit": .string(resource), "plan": .string(plan), "allowed": .number(Double(allowed))]
        )
    }

    static func duplicateAppName(_ name: String) -> RelayError {
        RelayError.invalidParam("name", "An app named '\(name)' already exists in this workspace", type: "duplicate")
    }

    static let duplicateEmail = RelayError.invalidParam(
        "email", "An account with this e-mail address already exists", type: "duplicate"
    )

    static func duplicateTagName() -> RelayError {
        RelayError.invalidParam("name", "A tag of this name already exists in this workspace", type: "duplicate")
    }

    static func duplicateDatasetName() -> RelayError {
        RelayError.invalidParam("name", "A dataset of this name already exists in this workspace", type: "duplicate")
    }
}
