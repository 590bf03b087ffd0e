public import Foundation
public import Logging

/// Everything an operator can set, filled by the CLI (flags and environment) and constructed directly by tests.
public struct RelayConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 5001
    /// Holds the SQLite file, the generated secret key and, later, uploaded files.
    public var dataDirectory: URL = URL(fileURLWithPath: "storage")
    /// Signs access tokens. When `nil`, one is generated on first start and kept in the data directory.
    public var secretKey: String?
    public var allowsRegistration: Bool = false
    public var accessTokenLifetime: TimeInterval = 15 * 60
    /// How long a resolved API key is trusted before it is read again: the bound on revocation delay across instances.
    public var apiKeyCacheTTL: TimeInterval = 1
    /// bcrypt cost. Tests lower it to stay fast; the CLI never does.
    public var passwordHashCost: UInt8 = 12
    public var logLevel: Logger.Level = .info

    public init() {}

    public var databaseFile: URL { dataDirectory.appendingPathComponent("relay.sqlite") }
    public var secretKeyFile: URL { dataDirectory.appendingPathComponent("secret_key") }
}
