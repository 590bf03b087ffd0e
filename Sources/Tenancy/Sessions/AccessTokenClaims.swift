import Core
import Foundation
import JWTKit

/// The claims of a console access token: who, in which workspace, from which session, until when.
struct AccessTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var wid: String
    var sid: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim

    // Expiry is checked against the service's clock after the signature, not against the wall clock here.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
