import Core
import Foundation
import Hummingbird
import Tenancy

/// First-run setup, registration, sign-in, token refresh, invitation activation and sign-out.
struct AuthController {
    let accounts: AccountService
    let sessions: SessionService

    struct SetupRequest: Decodable {
        let email: String
        let name: String
        let password: String
    }

    struct LoginRequest: Decodable {
        let email: String
        let password: String
        let rememberMe: Bool?

        enum CodingKeys: String, CodingKey {
            case email, password
            case rememberMe = "remember_me"
        }
    }

    struct RefreshRequest: Decodable {
        let refreshToken: String

        enum CodingKeys: String, CodingKey {
            case refreshToken = "refresh_token"
        }
    }

    struct ActivateRequest: Decodable {
        let token: String
        let name: String
        let password: String
    }

    struct SetupStatus: ResponseCodableBody {
        let step: String
        let setupAt: Int?

        enum CodingKeys: String, CodingKey {
            case step
            case setupAt = "setup_at"
        }
    }

    /// Routes that need no token.
    func addPublicRoutes(to group: RouterGroup<RelayRequestContext>) {
        group.get("setup") { _, _ in
            let date = try await accounts.setupDate()
            return SetupStatus(step: date == nil ? "not_started" : "finished", setupAt: date.map { Int($0.timeIntervalSince1970) })
        }
        group.post("setup") { request, _ in
            var request = request
            let body = try await request.decodeJSON(as: SetupRequest.self)
            try await accounts.setup(email: body.email, name: body.name, password: body.password)
            return EditedResponse(status: .created, response: SuccessBody())
        }
        group.post("register") { request, _ in
            var request = request
            let body = try await request.decodeJSON(as: SetupRequest.self)
            let pair = try await accounts.register(email: body.email, name: body.name, password: body.password)
            return EditedResponse(status: .created, response: TokenPairBody(pair))
        }
        group.post("login") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: LoginRequest.self)
            return TokenPairBody(
                try await accounts.login(
                    email: body.email, password: body.password, rememberMe: body.rememberMe ?? false, client: context.clientAddress
                )
            )
        }
        group.post("refresh-token") { request, _ in
            var request = request
            let body = try await request.decodeJSON(as: RefreshRequest.self)
            return TokenPairBody(try await sessions.refresh(body.refreshToken))
        }
        group.post("activate") { request, _ in
            var request = request
            let body = try await request.decodeJSON(as: ActivateRequest.self)
            return TokenPairBody(try await accounts.activate(token: body.token, name: body.name, password: body.password))
        }
    }

    /// Routes of a signed-in account.
    func addAccountRoutes(to group: RouterGroup<AccountContext>) {
        group.post("logout") { _, context in
            try await sessions.end(context.grant.sessionID)
            return SuccessBody()
        }
    }
}
