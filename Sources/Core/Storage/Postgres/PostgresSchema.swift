import Foundation
import Logging
import PostgresNIO

/// Brings a PostgreSQL database up to the shared schema, then adds what only PostgreSQL needs: 64-bit limits and
/// counters, row-level security on every tenant-owned table and the rate-limit decision as one function (one call per
/// decision, each counter a primary-key lookup: ~0.2 ms in the database here, against ~0.36 ms for a set-based version).
///
/// Instances starting together take turns on an advisory lock; each migration is applied once, in its own name, in
/// the transaction that records it.
enum PostgresSchema {
    /// Any fixed number: the advisory lock all relay instances of a database agree on for migrating.
    static let migrationLock: Int64 = 0x7265_6c61_7900

    static let migrations: [Schema.Migration] =
        Schema.migrations + [
            Schema.Migration(
                // SQLite's INTEGER holds 64 bits; PostgreSQL's holds 32. Limits an operator sets and the counts held against
                // them may pass 2^31 (a day's requests of a large deployment, an enterprise plan's figures).
                name: "postgres v1 64-bit limits and counters",
                sql: """
                    ALTER TABLE plan ALTER COLUMN rpm TYPE BIGINT, ALTER COLUMN rph TYPE BIGINT, ALTER COLUMN rpd TYPE BIGINT,
                        ALTER COLUMN members TYPE BIGINT, ALTER COLUMN apps TYPE BIGINT, ALTER COLUMN documents TYPE BIGINT,
                        ALTER COLUMN message_credits TYPE BIGINT, ALTER COLUMN max_active_requests TYPE BIGINT;
                    ALTER TABLE app ALTER COLUMN api_rpm TYPE BIGINT, ALTER COLUMN api_rph TYPE BIGINT;
                    ALTER TABLE rate_limit_counter ALTER COLUMN hits TYPE BIGINT;
                    ALTER TABLE usage_counter ALTER COLUMN requests TYPE BIGINT;
                    ALTER TABLE message_credit ALTER COLUMN used TYPE BIGINT, ALTER COLUMN reserved TYPE BIGINT;
                    """
            ),
            Schema.Migration(
                name: "postgres v1 rate-limit decision",
                sql: """
                    CREATE FUNCTION relay_rate_limit_hit(keys TEXT[], windows BIGINT[], limits BIGINT[])
                    RETURNS TABLE (admitted BOOLEAN, hits BIGINT[]) LANGUAGE plpgsql AS $$
                    DECLARE
                        n INTEGER := cardinality(keys);
                        current BIGINT[] := array_fill(0::BIGINT, ARRAY[n]);
                        has_room BOOLEAN := true;
                        position INTEGER;
                        seen BIGINT;
                    BEGIN
                        -- Locked one counter at a time in one order (key, then window), so decisions on overlapping counters queue
                        -- instead of deadlocking; each a primary-key lookup.
                        FOR position IN SELECT t.i FROM unnest(keys, windows) WITH ORDINALITY AS t(k, w, i) ORDER BY t.k, t.w LOOP
                            SELECT c.hits INTO seen FROM rate_limit_counter c
                                WHERE c.counter_key = keys[position] AND c.window_start = windows[position] FOR UPDATE;
                            IF NOT FOUND THEN
                                -- A window's first hit makes its counter; a concurrent first hit may make it first.
                                INSERT INTO rate_limit_counter AS c (counter_key, window_start, hits) VALUES (keys[position], windows[position], 0)
                                    ON CONFLICT (counter_key, window_start) DO NOTHING;
                                SELECT c.hits INTO STRICT seen FROM rate_limit_counter c
                                    WHERE c.counter_key = keys[position] AND c.window_start = windows[position] FOR UPDATE;
                            END IF;
                            current[position] := seen;
                            has_room := has_room AND seen < limits[position];
                        END LOOP;
                        IF NOT has_room THEN
                            RETURN QUERY SELECT false, current;
                            RETURN;
                        END IF;
                        FOR position IN 1..n LOOP
                            UPDATE rate_limit_counter c SET hits = c.hits + 1
                                WHERE c.counter_key = keys[position] AND c.window_start = windows[position];
                            current[position] := current[position] + 1;
                        END LOOP;
                        RETURN QUERY SELECT true, current;
                    END
                    $$;
                    """
            ),
            Schema.Migration(
                name: "postgres v1 workspace visibility",
                sql: """
                    CREATE FUNCTION relay_may_see(workspace TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
                        SELECT coalesce(current_setting('relay.workspace', true) IN ('*', workspace), false)
                    $$;
                    """
            ),
            Schema.Migration(
                // The keyword index of segments: a generated tsvector ('simple': no stemming, any language) under GIN.
                name: "postgres v9 segment keyword index",
                sql: """
                    ALTER TABLE document_segment ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
                    CREATE INDEX document_segment_search ON document_segment USING GIN (search);
                    CREATE INDEX background_job_claimable ON background_job (run_after) WHERE state = 'queued';
                    """
            ),
            Schema.Migration(
                // What v14 reads from columns, filled in for the messages and end users stored before it.
                name: "postgres v14 message statistics and end users of earlier messages",
                sql: """
                    UPDATE message SET message_tokens = COALESCE((usage::jsonb->>'prompt_tokens')::BIGINT, 0),
                        answer_tokens = COALESCE((usage::jsonb->>'completion_tokens')::BIGINT, 0),
                        latency = COALESCE((usage::jsonb->>'latency')::DOUBLE PRECISION, 0),
                        total_price = COALESCE((usage::jsonb->>'total_price')::DOUBLE PRECISION, 0),
                        currency = COALESCE(usage::jsonb->>'currency', 'USD')
                    WHERE usage IS NOT NULL;
                    UPDATE message SET feedback_at = updated_at WHERE feedback_rating IS NOT NULL;
                    INSERT INTO end_user (id, workspace_id, app_id, session_id, created_at)
                    SELECT gen_random_uuid()::TEXT, workspace_id, app_id, end_user, MIN(created_at) FROM message
                    GROUP BY workspace_id, app_id, end_user ON CONFLICT (app_id, session_id) DO NOTHING;
                    """
            ),
            Schema.Migration(
                // v15's rollup filled in from the messages stored before it, then kept in step by one trigger function. A
                // message's shard is its id's last digit modulo 8, so concurrent messages of one app lock different rows.
                name: "postgres v15 message statistics rollup",
                sql: """
                    INSERT INTO message_rollup (workspace_id, app_id, bucket, shard, messages, lone_messages, tokens, answer_tokens, total_price,
                        latency, likes)
                    SELECT workspace_id, app_id, FLOOR(created_at / 900)::BIGINT AS quarter, ascii(right(id, 1)) % 8 AS part, COUNT(*),
                        COUNT(*) FILTER (WHERE conversation_id IS NULL), SUM(message_tokens + answer_tokens), SUM(answer_tokens),
                        SUM(total_price), SUM(latency),
                        COUNT(*) FILTER (WHERE feedback_rating = 'like') + COUNT(*) FILTER (WHERE admin_feedback_rating = 'like')
                    FROM message GROUP BY workspace_id, app_id, quarter, part;
                    INSERT INTO message_rollup_member (workspace_id, app_id, kind, bucket, member, messages)
                    SELECT workspace_id, app_id, 'conversation', FLOOR(created_at / 900)::BIGINT AS quarter, conversation_id, COUNT(*)
                    FROM message WHERE conversation_id IS NOT NULL GROUP BY workspace_id, app_id, quarter, conversation_id;
                    INSERT INTO message_rollup_member (workspace_id, app_id, kind, bucket, member, messages)
                    SELECT workspace_id, app_id, 'end_user', FLOOR(created_at / 900)::BIGINT AS quarter, end_user, COUNT(*)
                    FROM message GROUP BY workspace_id, app_id, quarter, end_user;
                    UPDATE conversation c SET message_count = m.messages
                    FROM (SELECT conversation_id, COUNT(*) AS messages FROM message GROUP BY conversation_id) m WHERE m.conversation_id = c.id;
                    CREATE FUNCTION relay_message_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
                    DECLARE
                        quarter BIGINT;
                        part INTEGER;
                        likes_before BIGINT := 0;
                        likes_after BIGINT := 0;
                    BEGIN
                        IF TG_OP = 'INSERT' THEN
                            quarter := FLOOR(NEW.created_at / 900)::BIGINT;
                            part := ascii(right(NEW.id, 1)) % 8;
                            likes_after := (NEW.feedback_rating IS NOT DISTINCT FROM 'like')::INTEGER
                                + (NEW.admin_feedback_rating IS NOT DISTINCT FROM 'like')::INTEGER;
                            INSERT INTO message_rollup AS r (workspace_id, app_id, bucket, shard, messages, lone_messages, tokens, answer_tokens,
                                total_price, latency, likes)
                            VALUES (NEW.workspace_id, NEW.app_id, quarter, part, 1, (NEW.conversation_id IS NULL)::INTEGER,
                                NEW.message_tokens + NEW.answer_tokens, NEW.answer_tokens, NEW.total_price, NEW.latency, likes_after)
                            ON CONFLICT (workspace_id, app_id, bucket, shard) DO UPDATE SET messages = r.messages + 1,
                                lone_messages = r.lone_messages + excluded.lone_messages, tokens = r.tokens + excluded.tokens,
                                answer_tokens = r.answer_tokens + excluded.answer_tokens, total_price = r.total_price + excluded.total_price,
                                latency = r.latency + excluded.latency, likes = r.likes + excluded.likes;
                            IF NEW.conversation_id IS NOT NULL THEN
                                INSERT INTO message_rollup_member AS r (workspace_id, app_id, kind, bucket, member, messages)
                                VALUES (NEW.workspace_id, NEW.app_id, 'conversation', quarter, NEW.conversation_id, 1)
                                ON CONFLICT (workspace_id, app_id, kind, bucket, member) DO UPDATE SET messages = r.messages + 1;
                                UPDATE conversation SET message_count = message_count + 1 WHERE id = NEW.conversation_id;
                            END IF;
                            INSERT INTO message_rollup_member AS r (workspace_id, app_id, kind, bucket, member, messages)
                            VALUES (NEW.workspace_id, NEW.app_id, 'end_user', quarter, NEW.end_user, 1)
                            ON CONFLICT (workspace_id, app_id, kind, bucket, member) DO UPDATE SET messages = r.messages + 1;
                            RETURN NULL;
                        END IF;
                        quarter := FLOOR(OLD.created_at / 900)::BIGINT;
                        part := ascii(right(OLD.id, 1)) % 8;
                        likes_before := (OLD.feedback_rating IS NOT DISTINCT FROM 'like')::INTEGER
                            + (OLD.admin_feedback_rating IS NOT DISTINCT FROM 'like')::INTEGER;
                        IF TG_OP = 'UPDATE' THEN
                            likes_after := (NEW.feedback_rating IS NOT DISTINCT FROM 'like')::INTEGER
                                + (NEW.admin_feedback_rating IS NOT DISTINCT FROM 'like')::INTEGER;
                            UPDATE message_rollup SET
                                tokens = tokens + (NEW.message_tokens + NEW.answer_tokens) - (OLD.message_tokens + OLD.answer_tokens),
                                answer_tokens = answer_tokens + NEW.answer_tokens - OLD.answer_tokens,
                                total_price = total_price + NEW.total_price - OLD.total_price, latency = latency + NEW.latency - OLD.latency,
                                likes = likes + likes_after - likes_before
                            WHERE workspace_id = OLD.workspace_id AND app_id = OLD.app_id AND bucket = quarter AND shard = part;
                            RETURN NULL;
                        END IF;
                        UPDATE message_rollup SET messages = messages - 1, lone_messages = lone_messages - (OLD.conversation_id IS NULL)::INTEGER,
                            tokens = tokens - OLD.message_tokens - OLD.answer_tokens, answer_tokens = answer_tokens - OLD.answer_tokens,
                            total_price = total_price - OLD.total_price, latency = latency - OLD.latency, likes = likes - likes_before
                        WHERE workspace_id = OLD.workspace_id AND app_id = OLD.app_id AND bucket = quarter AND shard = part;
                        DELETE FROM message_rollup
                        WHERE workspace_id = OLD.workspace_id AND app_id = OLD.app_id AND bucket = quarter AND shard = part AND messages <= 0;
                        UPDATE message_rollup_member SET messages = messages - 1
                        WHERE workspace_id = OLD.workspace_id AND app_id = OLD.app_id AND bucket = quarter
                            AND ((kind = 'conversation' AND member = OLD.conversation_id) OR (kind = 'end_user' AND member = OLD.end_user));
                        DELETE FROM message_rollup_member
                        WHERE workspace_id = OLD.workspace_id AND app_id = OLD.app_id AND bucket = quarter
                            AND ((kind = 'conversation' AND member = OLD.conversation_id) OR (kind = 'end_user' AND member = OLD.end_user))
                            AND messages <= 0;
                        UPDATE conversation SET message_count = message_count - 1 WHERE id = OLD.conversation_id;
                        RETURN NULL;
                    END
                    $$;
                    CREATE TRIGGER message_rollup_change AFTER INSERT OR DELETE ON message FOR EACH ROW EXECUTE FUNCTION relay_message_rollup();
                    CREATE TRIGGER message_rollup_update
                    AFTER UPDATE OF message_tokens, answer_tokens, total_price, latency, feedback_rating, admin_feedback_rating ON message
                    FOR EACH ROW EXECUTE FUNCTION relay_message_rollup();
                    """
            ),
        ]

    /// How long start-up waits for the server, so that instances started together with their database find it up.
    static let startupPatience: Duration = .seconds(10)

    static func migrate(_ database: PostgresDatabase) async throws {
        try await database.leasing(within: startupPatience) { connection in
            try await database.unwrappingTransactionError {
                try await connection.withTransaction(logger: database.logger) { connection in try await migrate(connection, database) }
            }
        }
    }

    private static func migrate(_ connection: PostgresConnection, _ database: PostgresDatabase) async throws {
        // Another instance may hold the lock for as long as its migrations take, and a migration may take long itself.
        try await connection.run("SET LOCAL lock_timeout = 0", logger: database.logger)
        try await connection.run("SET LOCAL statement_timeout = 0", logger: database.logger)
        // A migration that moves data sees every workspace's rows: row-level security holds the owner to it too.
        try await connection.run("SELECT set_config('relay.workspace', '*', true)", logger: database.logger)
        try await connection.run("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: database.logger)
        try await connection.run(
            "CREATE TABLE IF NOT EXISTS relay_migration (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
            logger: database.logger
        )
        let applied = Set(
            try await connection.rows("SELECT name FROM relay_migration", logger: database.logger).map { try $0["name"].decode(String.self) }
        )
        for migration in migrations where !applied.contains(migration.name) {
            for statement in SQLStatements.split(migration.sql) {
                try await connection.run(PostgresQuery(unsafeSQL: statement), logger: database.logger)
            }
            try await connection.run(
                "INSERT INTO relay_migration (name, applied_at) VALUES (\(migration.name), \(Date().timeIntervalSince1970))",
                logger: database.logger
            )
            database.logger.info("Applied migration", metadata: ["migration": "\(migration.name)"])
        }
        try await secureTenantTables(connection, logger: database.logger)
    }

    /// Row-level security on every table that has a `workspace_id` (and on `workspace` itself), forced so that the
    /// owner the server connects as is held to it too. Checked on every start, so a table added by a later migration
    /// cannot be forgotten. `session` is an account's: its `workspace_id` says which workspace it is signed in to.
    private static func secureTenantTables(_ connection: PostgresConnection, logger: Logger) async throws {
        let tables = try await connection.rows(
            """
            SELECT c.relname AS table_name,
                CASE WHEN c.relname = 'workspace' THEN 'id' ELSE 'workspace_id' END AS column_name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'session' AND (
                c.relname = 'workspace' OR EXISTS (
                    SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped
                )
            ) AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'relay_workspace')
            """,
            logger: logger
        )
        for table in tables {
            let name = try table["table_name"].decode(String.self)
            let column = try table["column_name"].decode(String.self)
            for statement in [
                "ALTER TABLE \(name) ENABLE ROW LEVEL SECURITY", "ALTER TABLE \(name) FORCE ROW LEVEL SECURITY",
                "CREATE POLICY relay_workspace ON \(name) USING (relay_may_see(\(column))) WITH CHECK (relay_may_see(\(column)))",
            ] {
                try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    /// Whether the role the server connects as skips row-level security (a superuser or `BYPASSRLS`).
    static func roleBypassesRowSecurity(_ database: PostgresDatabase) async throws -> Bool {
        let rows = try await database.rows("SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user")
        return try rows.first?["bypasses"].decode(Bool.self) ?? false
    }
}
