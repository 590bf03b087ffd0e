public import Core
public import Foundation
import Synchronization

/// First-run setup, registration, sign-in (throttled) and activation of invited accounts.
public struct AccountService: Sendable {
    let accounts: AccountStore
    let workspaces: WorkspaceStore
    let sessions: SessionService
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let allowsRegistration: Bool
    let now: @Sendable () -> Date
    /// Compared against when the address is unknown, so a wrong address costs as long as a wrong password.
    let decoyHash = DecoyHash()

    public init(
        accounts: AccountStore, workspaces: WorkspaceStore, sessions: SessionService, hasher: PasswordHasher,
        throttle: LoginThrottle = LoginThrottle(), allowsRegistration: Bool, now: @escaping @Sendable () -> Date
    ) {
        self.accounts = accounts
        self.workspaces = workspaces
        self.sessions = sessions
        self.hasher = hasher
        self.throttle = throttle
        self.allowsRegistration = allowsRegistration
        self.now = now
    }

    /// When setup finished; `nil` while the server waits for its first owner.
    /// The time zone the account's console statistics are cut in (UTC until it sets one).
    public func timeZone(of account: AccountID) async throws -> TimeZone {
        TimeZone(identifier: try await accounts.timeZone(of: account)) ?? TimeZone(identifier: "UTC")!
    }

    /// Sets the account's time zone: an IANA name such as `America/New_York`; the 400 names the field.
    public func setTimeZone(_ name: String?, of account: AccountID) async throws -> String {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { throw RelayError.required("timezone") }
        guard name.count <= 64, TimeZone(identifier: name) != nil else {
            throw RelayError.invalidParam("timezone", "timezone must be an IANA time zone name such as America/New_York")
        }
        try await accounts.setTimeZone(name, of: account)
        return name
    }

    public func setupDate() async throws -> Date? {
        try await accounts.setupDate()
    }

    /// Creates the first owner and their workspace, exactly once.
    public func setup(email: String, name: String, password: String) async throws {
        guard try await accounts.setupDate() == nil else { throw Self.alreadySetUp }
        let owner = try await newAccount(email: email, name: name, password: password)
        let workspace = Workspace(id: WorkspaceID(), name: "\(owner.name)'s Workspace", createdAt: now())
        guard try await accounts.completeSetup(owner: owner, workspace: workspace, at: now()) else { throw Self.alreadySetUp }
    }

    /// Creates an account owning a new workspace and signs it in; refused unless the operator allows registration.
    public func register(email: String, name: String, password: String) async throws -> TokenPair {
        guard allowsRegistration else { throw RelayError.accessDenied("Registration is disabled on this server") }
        guard try await accounts.setupDate() != nil else {
            throw RelayError.accessDenied("The server has not been set up yet; use POST /console/api/setup")
        }
        let account = try await newAccount(email: email, name: name, password: password)
        let workspace = Workspace(id: WorkspaceID(), name: "\(account.name)'s Workspace", createdAt: now())
        try await accounts.register(account, workspace: workspace, at: now())
        return try await sessions.start(for: account.id, in: workspace.id, rememberMe: false)
    }

    /// Signs in. A wrong address and a wrong password get the same answer. Failures slow further attempts from the same
    /// client on the same address (`LoginThrottle`): a growing wait, never a lock that anyone else can impose.
    public func login(email rawEmail: String, password: String, rememberMe: Bool, client: String) async throws -> TokenPair {
        let email = try AccountRules.email(rawEmail)
        let date = now()
        // The attempt is recorded as failed before the password is checked, and cleared if it matches.
        if let failures = try await accounts.claimLoginAttempt(
            email: email, client: client, since: date - throttle.window, recent: throttle.failuresThatMatter, at: date,
            waitFor: { throttle.retryAfter(failures: $0, now: date) }
        ) {
            let seconds = Int(failures.rounded(.up))
            throw RelayError(
                .rateLimitExceeded, "Too many failed sign-ins for this account from here; try again in \(seconds) seconds",
                headers: [("Retry-After", "\(seconds)")]
            )
        }
        let credential = try await accounts.credential(email: email)
        let hash = credential?.passwordHash
        let comparedHash = if let hash { hash } else { try await decoyHash.value(hasher) }
        let matches = try await hasher.verify(password, against: comparedHash)
        guard matches, hash != nil, let credential, credential.account.status == .active else {
            throw RelayError.unauthorized("Invalid email or password")
        }
        try await accounts.clearLoginFailures(email: email, client: client)
        try await accounts.recordLogin(credential.account.id, at: date)
        let workspace = try await signInWorkspace(credential)
        return try await sessions.start(for: credential.account.id, in: workspace, rememberMe: rememberMe)
    }

    /// Completes an invitation: the invitee chooses a name and password and is signed in to the inviting workspace.
    public func activate(token: String, name: String, password: String) async throws -> TokenPair {
        let name = try AccountRules.name(name)
        let passwordHash = try await hasher.hash(try AccountRules.password(password))
        guard
            let (account, workspace) = try await accounts.activate(
                invitationTokenHash: SecretToken.hash(token), name: name, passwordHash: passwordHash, at: now()
            )
        else { throw RelayError.invalidParam("token", "The invitation token is invalid, expired or already used") }
        return try await sessions.start(for: account.id, in: workspace, rememberMe: false)
    }

    /// The last workspace the account used, if it is still a member there, else its oldest.
    private func signInWorkspace(_ credential: AccountCredential) async throws -> WorkspaceID {
        let memberships = try await workspaces.memberships(of: credential.account.id)
        if let last = credential.lastWorkspaceID, memberships.contains(where: { $0.workspace.id == last }) { return last }
        guard let first = memberships.first else {
            throw RelayError.accessDenied("This account no longer belongs to any workspace")
        }
        return first.workspace.id
    }

    private func newAccount(email: String, name: String, password: String) async throws -> NewAccount {
        let email = try AccountRules.email(email)
        let name = try AccountRules.name(name)
        let passwordHash = try await hasher.hash(try AccountRules.password(password))
        return NewAccount(email: email, name: name, passwordHash: passwordHash)
    }

    static let alreadySetUp = RelayError(.alreadySetup, "Setup has already been completed")
}

/// A bcrypt hash of nothing anyone knows, made once on first use with the service's own cost.
final class DecoyHash: Sendable {
    private let hash = Mutex<String?>(nil)

    func value(_ hasher: PasswordHasher) async throws -> String {
        if let hash = hash.withLock({ $0 }) { return hash }
        let made = try await hasher.hash(SecretToken.random(count: 32))
        hash.withLock { $0 = $0 ?? made }
        return made
    }
}
