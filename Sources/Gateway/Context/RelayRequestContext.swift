import Core
public import Foundation
public import Hummingbird
import Tenancy

/// The context every request starts with; authentication middleware fills in who is asking.
public struct RelayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `ConsoleAuthMiddleware` on `/console/api` routes that need a signed-in account.
    var consoleGrant: ConsoleGrant?
    /// Set by `APIKeyAuthMiddleware` on Public API routes.
    var publicGrant: PublicGrant?
    /// Set by `DatasetKeyAuthMiddleware` on the knowledge API's routes.
    var datasetGrant: DatasetGrant?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    public var responseEncoder: JSONEncoder { RelayJSON.encoder }
}

enum RelayJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
