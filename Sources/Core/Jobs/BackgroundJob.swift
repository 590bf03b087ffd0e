public import Foundation

public typealias BackgroundJobID = Identifier<BackgroundJob>

/// Work queued in the database, done by whichever instance's worker claims it first.
public struct BackgroundJob: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Parse, clean, split and index one dataset document (`subject` is its id).
        case indexDocument = "index_document"
        /// Embed the annotations of an app for its annotation reply (`subject` is the app's id).
        case enableAnnotationReply = "enable_annotation_reply"
        /// Turn an app's annotation reply off (`subject` is the app's id); done when it is recorded.
        case disableAnnotationReply = "disable_annotation_reply"
    }

    /// How one run of a job ended.
    public enum Outcome: Equatable, Sendable {
        /// Finished: the job is done.
        case finished
        /// Ended for good with its reason recorded where its subject shows it: the job is done, as a failure.
        case failed
        /// The claim was lost (paused, deleted, taken over): nothing more to do or record.
        case abandoned
        /// A transient failure (an upstream down): run the job again later.
        case retry(String)
    }

    /// Where a queued job stands, as Dify's job status routes name it: `waiting`, `processing`, `completed`, `error`.
    public struct Status: Sendable, Equatable {
        public let job: BackgroundJob
        public let state: String
        public let error: String?

        init(job: BackgroundJob, state: String, error: String?) {
            self.job = job
            self.state = state
            self.error = error
        }
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
public struct JobStore: Sendable {
    let database: SQLDatabase

    public func claim(leaseUntil: Date, token: String, at date: Date) async throws -> JobClaim? {
        let claimable: SQL = "state = 'queued' AND run_after <= \(date) AND (lease_until IS NULL OR lease_until < \(date))"
        // A read first: an idle queue is polled every second by every worker, and a write transaction each time would
        // queue behind (and in front of) every other write, waiting out the busy timeout with them.
        let isDue = try await database.read(.allWorkspaces) { transaction in
            try await transaction.row("SELECT 1 AS due FROM background_job WHERE \(claimable) LIMIT 1") != nil
        }
        guard isDue else { return nil }
        return try await database.write(.allWorkspaces) { transaction in
            try await transaction.row(
                """
                UPDATE background_job SET claim_token = \(token), lease_until = \(leaseUntil), attempts = attempts + 1
                WHERE id = (
                    SELECT id FROM background_job WHERE \(claimable) ORDER BY run_after, created_at LIMIT 1
                    \(SQL.dialect(sqlite: "", postgres: "FOR UPDATE SKIP LOCKED"))
                ) RETURNING *
                """
            ).map { JobClaim(job: try BackgroundJob(row: $0), token: token) }
        }
    }

    /// Extends the lease; `false` when the claim is no longer this worker's (the job was cancelled or claimed again).
    public func renew(_ claim: JobClaim, until: Date) async throws -> Bool {
        try await database.write(.allWorkspaces) { transaction in
            try await transaction.changes(
                """
                UPDATE background_job SET lease_until = \(until) WHERE id = \(claim.job.id) AND claim_token = \(claim.token)
                AND state = 'queued' RETURNING id
                """) > 0
        }
    }

    /// Marks the job done (only while the claim holds).
    public func finish(_ claim: JobClaim, at date: Date) async throws {
        try await database.write(.allWorkspaces) { transaction in
            try await transaction.execute(
                """
                UPDATE background_job SET state = 'done', finished_at = \(date), lease_until = NULL
                WHERE id = \(claim.job.id) AND claim_token = \(claim.token) AND state = 'queued'
                """)
        }
    }

    /// Marks the job failed for good with `error` (only while the claim holds).
    public func fail(_ claim: JobClaim, error: String, at date: Date) async throws {
        try await database.write(.allWorkspaces) { transaction in
            try await transaction.execute(
                """
                UPDATE background_job SET state = 'failed', finished_at = \(date), lease_until = NULL, last_error = \(error)
                WHERE id = \(claim.job.id) AND claim_token = \(claim.token)
                """)
        }
    }

    /// A job of the workspace, with where it stands at `date`; `nil` when the workspace has no such job.
    public func status(of id: BackgroundJobID, in workspace: WorkspaceID, at date: Date) async throws -> BackgroundJob.Status? {
        try await database.read(.workspace(workspace)) { transaction in
            guard let row = try await transaction.row("SELECT * FROM background_job WHERE id = \(id) AND workspace_id = \(workspace)")
            else { return nil }
            let state: String
            switch try row.string("state") {
            case "done": state = "completed"
            case "failed": state = "error"
            default: state = (try row.optionalDouble("lease_until")).map { $0 >= date.timeIntervalSince1970 } == true ? "processing" : "waiting"
            }
            return BackgroundJob.Status(
                job: try BackgroundJob(row: row), state: state, error: state == "error" ? try row.optionalString("last_error") : nil)
        }
    }

    /// Gives the job back to run again at `retryAt`, with `error` noted.
    public func release(_ claim: JobClaim, retryAt: Date, error: String) async throws {
        try await database.write(.allWorkspaces) { transaction in
            try await transaction.execute(
                """
                UPDATE background_job SET claim_token = NULL, lease_until = NULL, run_after = \(retryAt), last_error = \(error)
                WHERE id = \(claim.job.id) AND claim_token = \(claim.token) AND state = 'queued'
                """)
        }
    }

    /// The earliest time a queued job becomes claimable (for the worker's sleep), if any is queued.
    public func nextDue() async throws -> Date? {
        try await database.read(.allWorkspaces) { transaction in
            try await transaction.rows(
                "SELECT MIN(\(SQL.greatest)(run_after, COALESCE(lease_until, run_after))) AS due FROM background_job WHERE state = 'queued'"
            ).first?.optionalDouble("due").map(Date.init(timeIntervalSince1970:))
        }
    }

    /// The queue at `date`, for metrics: jobs waiting for a worker, and jobs under a live lease (running somewhere).
    public struct Counts: Sendable, Equatable {
        public let queued: Int
        public let leased: Int
    }

    public func counts(at date: Date) async throws -> Counts {
        try await database.read(.allWorkspaces) { transaction in
            let row = try await transaction.row(
                """
                SELECT COUNT(*) AS total, COUNT(CASE WHEN lease_until >= \(date) THEN 1 END) AS leased
                FROM background_job WHERE state = 'queued'
                """
            )
            let total = try row?.int("total") ?? 0
            let leased = try row?.int("leased") ?? 0
            return Counts(queued: total - leased, leased: leased)
        }
    }

    /// Queues the job.
    func enqueue(_ job: BackgroundJob) async throws {
        try await database.write(.workspace(job.workspaceID)) { transaction in try await Self.enqueue(job, transaction) }
    }

    /// Queues the job, or with `doneAt` records it as already done (work finished in the transaction that records it).
    static func enqueue(_ job: BackgroundJob, doneAt: Date? = nil, _ transaction: SQLTransaction) async throws {
        try await transaction.execute(
            """
            INSERT INTO background_job (id, workspace_id, kind, subject, state, attempts, run_after, created_at, finished_at)
            VALUES (\(job.id), \(job.workspaceID), \(job.kind.rawValue), \(job.subject), \(doneAt == nil ? "queued" : "done"), 0,
            \(job.createdAt), \(job.createdAt), \(doneAt))
            """)
    }

    /// Whether the claim still holds, locking the job's row for the rest of the transaction.
    static func holds(_ claim: JobClaim, _ transaction: SQLTransaction) async throws -> Bool {
        try await transaction.rows(
            """
            SELECT 1 FROM background_job WHERE id = \(claim.job.id) AND claim_token = \(claim.token) AND state = 'queued'
            \(SQL.dialect(sqlite: "", postgres: "FOR UPDATE"))
            """
        ).count > 0
    }
}

extension BackgroundJob {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"),
            kind: Kind(rawValue: try row.string("kind")) ?? .indexDocument, subject: try row.string("subject"),
            attempts: try row.int("attempts"), createdAt: try row.date("created_at")
        )
    }
}
