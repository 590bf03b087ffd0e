public import Core
import Foundation

/// What the launcher says it applied before it ran a plugin: one JSON line, the first on the plugin's standard error.
public struct SandboxReport: Sendable, Hashable {
    public let level: SandboxLevel
    /// Each layer by name (`environment`, `descriptors`, `session`, `rlimits`, `own_uid`, `no_new_privs`, `seccomp`,
    /// `network`, `netns`) and whether it holds.
    public let layers: [String: Bool]
    public let uid: Int?
    /// Why the launcher refused to run the plugin; `nil` when it ran it.
    public let error: String?

    init(line: [UInt8]) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        guard value.object != nil, value["layers"].object != nil || value["error"].string != nil else {
            throw NotAReport()
        }
        level = value["level"].string.flatMap(SandboxLevel.init(rawValue:)) ?? .none
        layers = (value["layers"].object ?? [:]).compactMapValues(\.bool)
        uid = value["uid"].int
        error = value["error"].string
    }

    struct NotAReport: Error {}

    public var json: JSONValue {
        ["level": .string(level.rawValue), "layers": .object(layers.mapValues { .bool($0) }), "uid": uid.map { .number(Double($0)) } ?? .null]
    }
}
