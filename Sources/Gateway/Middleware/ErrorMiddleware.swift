import Core
import Hummingbird
import Logging

/// Turns every error thrown below it into the uniform error body, so no client ever sees an empty 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let relayError = RelayError(mapping: error, request: request)
            if relayError.code == .internalError {
                context.logger.error("Unhandled error", metadata: ["error": "\(RelayError.logDescription(of: relayError.underlying ?? error))"])
            } else {
                context.logger.debug("Request refused", metadata: ["error.code": "\(relayError.code.name)"])
            }
            return try relayError.response(from: request, context: context)
        }
    }
}
