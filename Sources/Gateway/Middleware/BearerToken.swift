import Core
import Foundation
import Hummingbird

/// The bearer token of a request, with a distinct 401 for each way the header can be wrong.
enum BearerToken {
    /// An API key (app, workspace or dataset key), which must come in the header: the seed's v0 API took keys in the
    /// query string, where they end up in logs and proxies' caches, so a request that still sends one there is refused
    /// by name rather than as a missing header.
    static func requireKey(in request: Request) throws -> String {
        if request.uri.queryParameters["api_key"] != nil {
            throw RelayError.unauthorized("API keys are not accepted in the query string; send 'Authorization: Bearer <API key>'")
        }
        return try require(in: request)
    }

    static func require(in request: Request) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw RelayError.unauthorized("Authorization header is missing; send 'Authorization: Bearer <token>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.first?.lowercased() == "bearer" else {
            throw RelayError.unauthorized("Authorization scheme must be Bearer")
        }
        let token = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        guard !token.isEmpty else { throw RelayError.unauthorized("Bearer token is empty") }
        return token
    }
}
