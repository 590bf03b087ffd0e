import Core
import Hummingbird
import Logging
import Tenancy

/// Verifies the console access token and loads its session and membership in one read.
struct ConsoleAuthMiddleware: RouterMiddleware {
    let sessions: SessionService

    func handle(
        _ request: Request, context: RelayRequestContext, next: (Request, RelayRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.consoleGrant = try await sessions.authenticate(try BearerToken.require(in: request))
        context.logger[metadataKey: "account.id"] = "\(context.consoleGrant!.account.id)"
        return try await next(request, context)
    }
}
