import Hummingbird
import Tenancy

/// `{result: "success", data: {access_token, refresh_token, expires_in}}`, as Dify's sign-in calls answer.
struct TokenPairBody: ResponseCodableBody {
    struct Tokens: Codable {
        let accessToken: String
        let refreshToken: String
        let expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case refreshToken = "refresh_token"
            case expiresIn = "expires_in"
        }
    }

    let result: String
    let data: Tokens

    init(_ pair: TokenPair) {
        self.result = "success"
        self.data = Tokens(accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresIn: pair.expiresIn)
    }
}
