import Core
import Foundation
import Hummingbird

/// The bearer token of a request, with a distinct 401 for each way the header can be wrong.
enum BearerToken {
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
