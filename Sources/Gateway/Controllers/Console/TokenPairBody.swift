import Hummingbird
import Tenancy

/// `{result: "success", data: {access_token, refresh_token, expires_in}}`, as Dify's sign-in calls answer.
struct TokenPairBody: ResponseCodableBody {
    struct Tokens: Codable {
        let access_token: String
        let refresh_token: String
        let expires_in: Int
    }

    let result: String
    let data: Tokens

    init(_ pair: TokenPair) {
        self.result = "success"
        self.data = Tokens(access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: pair.expiresIn)
    }
}

/// `{"result": "success"}`.
struct SuccessBody: ResponseCodableBody {
    let result = "success"
}
