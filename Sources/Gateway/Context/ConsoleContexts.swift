import Core
import Foundation
import Hummingbird
import Logging
import Tenancy

/// A console request from a signed-in account with a live session, whatever its workspace membership.
struct AccountContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let grant: ConsoleGrant

    init(context: RelayRequestContext) throws {
        guard let grant = context.consoleGrant else { throw RelayError.unauthorized("Sign in first") }
        self.coreContext = context.coreContext
        self.grant = grant
    }

    var responseEncoder: JSONEncoder { RelayJSON.encoder }
}

/// A console request from a member of the workspace its access token names: the scope is never optional here.
struct WorkspaceContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let grant: ConsoleGrant
    let scope: WorkspaceScope

    init(context: RelayRequestContext) throws {
        guard let grant = context.consoleGrant else { throw RelayError.unauthorized("Sign in first") }
        guard let role = grant.role else {
            throw RelayError.accessDenied("You are no longer a member of this workspace; switch to another one")
        }
        self.coreContext = context.coreContext
        self.grant = grant
        self.scope = WorkspaceScope(
            accountID: grant.account.id, workspaceID: grant.workspaceID, role: role, sessionID: grant.sessionID
        )
        self.logger[metadataKey: "workspace.id"] = "\(grant.workspaceID)"
    }

    var responseEncoder: JSONEncoder { RelayJSON.encoder }
}

/// A Public API request authorized by an API key for one app.
struct PublicContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let grant: PublicGrant

    init(context: RelayRequestContext) throws {
        guard let grant = context.publicGrant else { throw RelayError.unauthorized("An API key is required") }
        self.coreContext = context.coreContext
        self.grant = grant
        self.logger[metadataKey: "workspace.id"] = "\(grant.workspaceID)"
    }

    var responseEncoder: JSONEncoder { RelayJSON.encoder }
}

/// A knowledge API request (`/v1/datasets`, `/api/datasets`) authorized by a dataset key.
struct KnowledgeContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let grant: DatasetGrant

    init(context: RelayRequestContext) throws {
        guard let grant = context.datasetGrant else { throw RelayError.unauthorized("A dataset API key is required") }
        self.coreContext = context.coreContext
        self.grant = grant
        self.logger[metadataKey: "workspace.id"] = "\(grant.workspaceID)"
    }

    var responseEncoder: JSONEncoder { RelayJSON.encoder }
}

/// A context that says who works on datasets: a console member or a dataset key. The dataset routes serve both.
protocol DatasetRequestContext: RequestContext {
    var datasetCaller: DatasetCaller { get }
}

extension WorkspaceContext: DatasetRequestContext {
    var datasetCaller: DatasetCaller { .member(scope) }
}

extension KnowledgeContext: DatasetRequestContext {
    var datasetCaller: DatasetCaller { .apiKey(of: grant.workspaceID) }
}
