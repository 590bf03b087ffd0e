import Foundation
import GRDB

/// The queue on SQLite: a claim is a write transaction, and SQLite runs one at a time, so no two workers (threads or
/// processes on the file) can take the same job.
struct SQLiteJobStore: JobStore {
    let writer: any DatabaseWriter

    func claim(leaseUntil: Date, token: String, at date: Date) async throws -> JobClaim? {
        // A read first: an idle queue is polled every second by every worker, and a write transaction each time would
        // queue behind (and in front of) every other write of the process, waiting out the busy timeout with them.
        let due = try await writer.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT 1 FROM background_job WHERE state = 'queued' AND run_after <= ? AND (lease_until IS NULL OR lease_until < ?) LIMIT 1",
                arguments: [date.storedValue, date.storedValue]
            ) ?? false
        }
        guard due else { return nil }
        return try await writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM background_job WHERE state = 'queued' AND run_after <= ? AND (lease_until IS NULL OR lease_until < ?)
                        ORDER BY run_after, created_at LIMIT 1
                        """,
                    arguments: [date.storedValue, date.storedValue]
                )
            else { return nil }
            var job = try BackgroundJob(row: row)
            job.attempts += 1
            try db.execute(
                sql: "UPDATE background_job SET claim_token = ?, lease_until = ?, attempts = ? WHERE id = ?",
                arguments: [token, leaseUntil.storedValue, job.attempts, job.id.description]
            )
            return JobClaim(job: job, token: token)
        }
    }

    func renew(_ claim: JobClaim, until: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE background_job SET lease_until = ? WHERE id = ? AND claim_token = ? AND state = 'queued'",
                arguments: [until.storedValue, claim.job.id.description, claim.token]
            )
            return db.changesCount > 0
        }
    }

    func finish(_ claim: JobClaim, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE background_job SET state = 'done', finished_at = ?, lease_until = NULL WHERE id = ? AND claim_token = ?",
                arguments: [date.storedValue, claim.job.id.description, claim.token]
            )
        }
    }

    func release(_ claim: JobClaim, retryAt: Date, error: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE background_job SET claim_token = NULL, lease_until = NULL, run_after = ?, last_error = ?
                    WHERE id = ? AND claim_token = ? AND state = 'queued'
                    """,
                arguments: [retryAt.storedValue, error, claim.job.id.description, claim.token]
            )
        }
    }

    func nextDue() async throws -> Date? {
        try await writer.read { db in
            try Double.fetchOne(
                db, sql: "SELECT MIN(COALESCE(MAX(run_after, lease_until), run_after)) FROM background_job WHERE state = 'queued'"
            ).map(Date.init(timeIntervalSince1970:))
        }
    }
}

extension BackgroundJob {
    init(row: some StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"),
            kind: Kind(rawValue: try row.string("kind")) ?? .indexDocument, subject: try row.string("subject"), attempts: try row.int("attempts"),
            createdAt: try row.date("created_at")
        )
    }
}
