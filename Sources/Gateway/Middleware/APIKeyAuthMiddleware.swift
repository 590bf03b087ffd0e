import Core
import HTTPTypes
import Hummingbird
import Tenancy

/// Resolves the Public API's bearer key (cached) to its app and workspace.
struct APIKeyAuthMiddleware: RouterMiddleware {
    static let appIDHeader = HTTPField.Name("X-App-Id")!
    let apiKeys: APIKeyService

    func handle(
        _ request: Request, context: RelayRequestContext, next: (Request, RelayRequestContext) async throws -> Response
    ) async throws -> Response {
        // The seed's v0 API took keys in the query string, where they end up in logs and proxies' caches.
        if request.uri.queryParameters["api_key"] != nil {
            throw RelayError.unauthorized("API keys are not accepted in the query string; send 'Authorization: Bearer <API key>'")
        }
        let secret = try BearerToken.require(in: request)
        var context = context
        context.publicGrant = try await apiKeys.authorize(secret, requestedApp: request.headers[Self.appIDHeader])
        return try await next(request, context)
    }
}
