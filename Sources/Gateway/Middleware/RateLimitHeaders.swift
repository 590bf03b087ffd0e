import Core
import Hummingbird

/// Runs the rest of the chain and puts a rate-limit decision's headers on whatever comes back: the response, or the
/// error body of anything thrown (mapped here, so that it keeps them on its way out).
func respond(
    _ request: Request, announcing headers: [(name: String, value: String)], _ next: () async throws -> Response
) async throws -> Response {
    do {
        var response = try await next()
        response.headers.append(headers)
        return response
    } catch {
        var refused = RelayError(mapping: error, request: request)
        refused.headers += headers
        throw refused
    }
}
