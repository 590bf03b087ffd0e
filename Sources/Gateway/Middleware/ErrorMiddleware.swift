import Core
import Hummingbird
import Logging

/// Turns every error thrown below it into the uniform error body, so no client ever sees an empty 500. A path no route
/// serves is a 404; a path served only under other methods is a 405 naming them in `Allow`.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedMethods: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var relayError = RelayError(mapping: error, request: request)
            // The router's own 404 (a handler's is a RelayError): does the path exist under another method?
            if let error = error as? HTTPError, error.status == .notFound {
                let methods = allowedMethods.methods(at: request.uri.path)
                if !methods.isEmpty {
                    relayError = RelayError(
                        .methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path); allowed: \(methods.joined(separator: ", "))",
                        headers: [("Allow", methods.joined(separator: ", "))]
                    )
                }
            }
            if relayError.code == .internalError {
                context.logger.error("Unhandled error", metadata: ["error": "\(RelayError.logDescription(of: relayError.underlying ?? error))"])
            } else {
                context.logger.debug("Request refused", metadata: ["error.code": "\(relayError.code.name)"])
            }
            return try relayError.response(from: request, context: context)
        }
    }
}
