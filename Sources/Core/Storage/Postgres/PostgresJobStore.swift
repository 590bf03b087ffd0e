import Foundation
import PostgresNIO

/// The queue on PostgreSQL: a claim is one statement that locks the first due job no other transaction holds
/// (`FOR UPDATE SKIP LOCKED`), so instances claiming at once take different jobs and never wait on each other.
struct PostgresJobStore: JobStore {
    let database: PostgresDatabase

    func claim(leaseUntil: Date, token: String, at date: Date) async throws -> JobClaim? {
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.rows(
                """
                UPDATE background_job SET claim_token = \(token), lease_until = \(leaseUntil.storedValue), attempts = attempts + 1
                WHERE id = (
                    SELECT id FROM background_job WHERE state = 'queued' AND run_after <= \(date.storedValue)
                    AND (lease_until IS NULL OR lease_until < \(date.storedValue))
                    ORDER BY run_after, created_at LIMIT 1 FOR UPDATE SKIP LOCKED
                ) RETURNING *
                """,
                logger: database.logger
            ).first.map { JobClaim(job: try BackgroundJob(row: $0), token: token) }
        }
    }

    func renew(_ claim: JobClaim, until: Date) async throws -> Bool {
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.changes(
                """
                UPDATE background_job SET lease_until = \(until.storedValue) WHERE id = \(claim.job.id.description) AND claim_token = \(claim.token)
                AND state = 'queued' RETURNING id
                """,
                logger: database.logger
            ) > 0
        }
    }

    func finish(_ claim: JobClaim, at date: Date) async throws {
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.run(
                """
                UPDATE background_job SET state = 'done', finished_at = \(date.storedValue), lease_until = NULL
                WHERE id = \(claim.job.id.description) AND claim_token = \(claim.token)
                """,
                logger: database.logger
            )
        }
    }

    func release(_ claim: JobClaim, retryAt: Date, error: String) async throws {
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.run(
                """
                UPDATE background_job SET claim_token = NULL, lease_until = NULL, run_after = \(retryAt.storedValue), last_error = \(error)
                WHERE id = \(claim.job.id.description) AND claim_token = \(claim.token) AND state = 'queued'
                """,
                logger: database.logger
            )
        }
    }

    func nextDue() async throws -> Date? {
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.rows(
                "SELECT MIN(GREATEST(run_after, COALESCE(lease_until, run_after))) AS due FROM background_job WHERE state = 'queued'",
                logger: database.logger
            ).first?.optionalDouble("due").map(Date.init(timeIntervalSince1970:))
        }
    }

    static func enqueue(_ job: BackgroundJob, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.run(
            """
            INSERT INTO background_job (id, workspace_id, kind, subject, state, attempts, run_after, created_at)
            VALUES (\(job.id.description), \(job.workspaceID.description), \(job.kind.rawValue), \(job.subject), 'queued', 0,
            \(job.createdAt.storedValue), \(job.createdAt.storedValue))
            """,
            logger: logger
        )
    }

    /// Whether the claim still holds, locking the job's row for the rest of the transaction.
    static func holds(_ claim: JobClaim, _ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        try await connection.rows(
            """
            SELECT 1 FROM background_job WHERE id = \(claim.job.id.description) AND claim_token = \(claim.token) AND state = 'queued'
            FOR UPDATE
            """,
            logger: logger
        ).count > 0
    }
}
