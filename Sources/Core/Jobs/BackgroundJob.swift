public import Foundation

public typealias BackgroundJobID = Identifier<BackgroundJob>

/// Work queued in the database, done by whichever instance's worker claims it first.
public struct BackgroundJob: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Parse, clean, split and index one dataset document (`subject` is its id).
        case indexDocument = "index_document"
    }

    public let id: BackgroundJobID
    public let workspaceID: WorkspaceID
    public let kind: Kind
    public let subject: String
    public var attempts: Int
    public let createdAt: Date

    public init(id: BackgroundJobID = BackgroundJobID(), workspaceID: WorkspaceID, kind: Kind, subject: String, attempts: Int = 0, createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.kind = kind
        self.subject = subject
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

/// A job as claimed by one worker: the token proves the claim is still its own (a worker whose lease ran out and was
/// claimed again by another can no longer write).
public struct JobClaim: Sendable, Equatable {
    public let job: BackgroundJob
    public let token: String

    public init(job: BackgroundJob, token: String) {
        self.job = job
        self.token = token
    }
}

/// The durable queue. A job is claimable when queued, due, and not under a live lease; claiming is atomic (one
/// statement with `FOR UPDATE SKIP LOCKED` on PostgreSQL, a write transaction on SQLite), so each claim goes to one
/// worker; a worker that dies leaves its lease to run out and the job to the next claim.
public protocol JobStore: Sendable {
    func claim(leaseUntil: Date, token: String, at date: Date) async throws -> JobClaim?
    /// Extends the lease; `false` when the claim is no longer this worker's (the job was cancelled or claimed again).
    func renew(_ claim: JobClaim, until: Date) async throws -> Bool
    /// Marks the job done (only while the claim holds).
    func finish(_ claim: JobClaim, at date: Date) async throws
    /// Gives the job back to run again at `retryAt`, with `error` noted.
    func release(_ claim: JobClaim, retryAt: Date, error: String) async throws
    /// The earliest time a queued job becomes claimable (for the worker's sleep), if any is queued.
    func nextDue() async throws -> Date?
}
