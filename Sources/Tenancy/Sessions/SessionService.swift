public import Core
import Crypto
public import Foundation
import JWTKit

/// An access token and the refresh token that renews it, as the console's sign-in calls answer.
public struct TokenPair: Sendable {
    public let accessToken: String
    public let refreshToken: String
    /// Lifetime of the access token, in seconds.
    public let expiresIn: Int
}

/// Console sessions: short-lived signed access tokens, and rotating refresh tokens stored only as hashes.
///
/// A refresh token is spent when used; presenting a spent one revokes its whole session (reuse detection), which also
/// ends every access token of that session, since each console request checks its session is live.
public struct SessionService: Sendable {
    public static let rememberedLifetime: TimeInterval = 30 * 24 * 3600
    public static let defaultLifetime: TimeInterval = 24 * 3600
    static let issuer = "relay"

    let store: SessionStore
    let keys: JWTKeyCollection
    let kid: JWKIdentifier
    let accessTokenLifetime: TimeInterval
    let now: @Sendable () -> Date

    /// Derives the HMAC signing key from the server secret; its key id changes whenever the secret does.
    public static func make(
        store: SessionStore, secret: String, accessTokenLifetime: TimeInterval = 15 * 60,
        now: @escaping @Sendable () -> Date
    ) async -> SessionService {
        let signingKey = Data(
            HMAC<SHA256>.authenticationCode(for: Data("relay access tokens v1".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        )
        let kid = JWKIdentifier(string: SecretToken.hex(SHA256.hash(data: signingKey).prefix(8)))
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: signingKey), digestAlgorithm: .sha256, kid: kid)
        return SessionService(store: store, keys: keys, kid: kid, accessTokenLifetime: accessTokenLifetime, now: now)
    }

    /// Starts a session in `workspace` and returns its first tokens.
    public func start(for account: AccountID, in workspace: WorkspaceID, rememberMe: Bool) async throws -> TokenPair {
        let session = Session(
            id: SessionID(), accountID: account, workspaceID: workspace,
            refreshTokenLifetime: rememberMe ? Self.rememberedLifetime : Self.defaultLifetime
        )
        let refreshToken = SecretToken.random(count: 48)
        try await store.createSession(session, refreshTokenHash: SecretToken.hash(refreshToken), at: now())
        return TokenPair(
            accessToken: try await accessToken(for: account, in: workspace, session: session.id), refreshToken: refreshToken,
            expiresIn: Int(accessTokenLifetime)
        )
    }

    /// Spends `refreshToken` and returns the next pair, for the session's current workspace.
    public func refresh(_ refreshToken: String) async throws -> TokenPair {
        let successor = SecretToken.random(count: 48)
        switch try await store.useRefreshToken(hash: SecretToken.hash(refreshToken), successorHash: SecretToken.hash(successor), at: now()) {
        case .rotated(let session):
            return TokenPair(
                accessToken: try await accessToken(for: session.accountID, in: session.workspaceID, session: session.id),
                refreshToken: successor, expiresIn: Int(accessTokenLifetime)
            )
        case .reused:
            throw RelayError.unauthorized("Refresh token was already used; the session has been revoked, sign in again")
        case .expired:
            throw RelayError.unauthorized("Refresh token has expired; sign in again")
        case .unknown:
            throw RelayError.unauthorized("Invalid refresh token")
        }
    }

    public func end(_ session: SessionID) async throws {
        try await store.revokeSession(session, at: now())
    }

    /// Points the session at another workspace (its refreshed tokens will be for it) and signs a token for it.
    public func move(_ grant: ConsoleGrant, to workspace: WorkspaceID) async throws -> (accessToken: String, expiresIn: Int) {
        try await store.moveSession(grant.sessionID, to: workspace)
        return (try await accessToken(for: grant.account.id, in: workspace, session: grant.sessionID), Int(accessTokenLifetime))
    }

    /// Verifies a bearer access token and reads its live session and membership in one storage access.
    public func authenticate(_ token: String) async throws -> ConsoleGrant {
        // JWTKit verifies a token naming an unknown key id (or none) with its default key, and a failing one with every
        // other key it has: the key id is checked here first, so a token is only ever verified by the key it names.
        guard AccessTokenHeader(token)?.names(kid) == true else { throw RelayError.unauthorized("Invalid access token") }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw RelayError.unauthorized("Invalid access token")
        }
        guard claims.iss.value == Self.issuer, let account = AccountID(claims.sub.value), let session = SessionID(claims.sid),
            let workspace = WorkspaceID(claims.wid)
        else { throw RelayError.unauthorized("Invalid access token") }
        guard claims.exp.value > now() else { throw RelayError.unauthorized("Access token has expired; refresh it") }
        guard let grant = try await store.consoleGrant(account: account, session: session, workspace: workspace) else {
            throw RelayError.unauthorized("Session has ended; sign in again")
        }
        return grant
    }

    func accessToken(for account: AccountID, in workspace: WorkspaceID, session: SessionID) async throws -> String {
        let issuedAt = now()
        let claims = AccessTokenClaims(
            sub: SubjectClaim(value: account.description), wid: workspace.description, sid: session.description,
            iat: IssuedAtClaim(value: issuedAt), exp: ExpirationClaim(value: issuedAt + accessTokenLifetime),
            iss: IssuerClaim(value: Self.issuer)
        )
        return try await keys.sign(claims, kid: kid)
    }
}
