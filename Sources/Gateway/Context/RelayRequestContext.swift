import Core
public import Foundation
public import Hummingbird
public import NIOCore
import Tenancy

/// The context every request starts with; authentication middleware fills in who is asking.
public struct RelayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `ConsoleAuthMiddleware` on `/console/api` routes that need a signed-in account.
    var consoleGrant: ConsoleGrant? { didSet { observation.workspace = consoleGrant?.workspaceID } }
    /// Set by `APIKeyAuthMiddleware` on Public API routes.
    var publicGrant: PublicGrant? { didSet { observation.workspace = publicGrant?.workspaceID } }
    /// Set by `DatasetKeyAuthMiddleware` on the knowledge API's routes.
    var datasetGrant: DatasetGrant? { didSet { observation.workspace = datasetGrant?.workspaceID } }
    /// Shared by every copy of this context: how the grants' workspace reaches the metrics and the access log.
    let observation = RequestObservation()

    /// The connection the request came on: its peer names the client that sign-in throttling counts against.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The client's address without its port ("127.0.0.1", "::1"); empty when the connection has none.
    var clientAddress: String { channel.remoteAddress?.ipAddress ?? "" }

    public var responseEncoder: JSONEncoder { RelayJSON.encoder }
}

enum RelayJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
