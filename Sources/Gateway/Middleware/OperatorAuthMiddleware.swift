import Core
import Crypto
import Foundation
import Hummingbird

/// Admits the operator API's callers by the operator key (`RELAY_ADMIN_KEY`), as Dify's admin key does.
struct OperatorAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let adminKeyHash: SHA256.Digest?

    init(adminKey: String?) {
        self.adminKeyHash = adminKey.map { SHA256.hash(data: Data($0.utf8)) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let adminKeyHash else {
            throw RelayError.accessDenied("The operator API is disabled; start relay with an admin key (RELAY_ADMIN_KEY)")
        }
        let presented = try BearerToken.require(in: request)
        // Digests compare in constant time, so the comparison reveals nothing about how much of a guess was right.
        guard SHA256.hash(data: Data(presented.utf8)) == adminKeyHash else { throw RelayError.unauthorized("Invalid admin key") }
        return try await next(request, context)
    }
}
