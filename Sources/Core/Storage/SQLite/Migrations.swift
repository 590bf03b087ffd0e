import Foundation
import GRDB

/// GRDB's migrator over the shared schema, then what only SQLite has: each migration keeps the name it shipped with.
enum Migrations {
    /// Brings the file's schema up to date (creating the file, in WAL mode, when there is none); the connection used for
    /// it is closed again.
    static func migrate(_ file: URL, busyTimeout: TimeInterval) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        try migrator.migrate(try DatabasePool(path: file.path, configuration: configuration))
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in Schema.migrations + sqliteOnly {
            migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }

    static let sqliteOnly: [Schema.Migration] = [
        Schema.Migration(
            // The keyword index of segments: FTS5 over the segment table's own text (external content, keyed by rowid),
            // kept in step by triggers so no write path can forget it. Ranked with bm25().
            name: "sqlite v9 segment keyword index",
            sql: """
                CREATE VIRTUAL TABLE segment_fts USING fts5(
                    content, content = 'document_segment', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
                );
                CREATE TRIGGER segment_fts_insert AFTER INSERT ON document_segment BEGIN
                    INSERT INTO segment_fts (rowid, content) VALUES (new.rowid, new.content);
                END;
                CREATE TRIGGER segment_fts_delete AFTER DELETE ON document_segment BEGIN
                    INSERT INTO segment_fts (segment_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
                END;
                CREATE TRIGGER segment_fts_update AFTER UPDATE OF content ON document_segment BEGIN
                    INSERT INTO segment_fts (segment_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
                    INSERT INTO segment_fts (rowid, content) VALUES (new.rowid, new.content);
                END;
                """
        ),
        Schema.Migration(
            // What v14 reads from columns, filled in for the messages and end users stored before it.
            name: "sqlite v14 message statistics and end users of earlier messages",
            sql: """
                UPDATE message SET message_tokens = COALESCE(json_extract(usage, '$.prompt_tokens'), 0),
                    answer_tokens = COALESCE(json_extract(usage, '$.completion_tokens'), 0),
                    latency = COALESCE(json_extract(usage, '$.latency'), 0),
                    total_price = COALESCE(CAST(json_extract(usage, '$.total_price') AS REAL), 0),
                    currency = COALESCE(json_extract(usage, '$.currency'), 'USD')
                WHERE usage IS NOT NULL;
                UPDATE message SET feedback_at = updated_at WHERE feedback_rating IS NOT NULL;
                INSERT INTO end_user (id, workspace_id, app_id, session_id, created_at)
                SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'
                    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), workspace_id, app_id, end_user, MIN(created_at)
                FROM message GROUP BY workspace_id, app_id, end_user ON CONFLICT (app_id, session_id) DO NOTHING;
                """
        ),
        Schema.Migration(
            // v15's rollup filled in from the messages stored before it, then kept in step by triggers (one shard: SQLite
            // has one writer).
            name: "sqlite v15 message statistics rollup",
            sql: """
                INSERT INTO message_rollup (workspace_id, app_id, bucket, shard, messages, lone_messages, tokens, answer_tokens, total_price,
                    latency, likes)
                SELECT workspace_id, app_id, CAST(created_at / 900 AS INTEGER) AS quarter, 0, COUNT(*), SUM(conversation_id IS NULL),
                    SUM(message_tokens + answer_tokens), SUM(answer_tokens), SUM(total_price), SUM(latency),
                    SUM((COALESCE(feedback_rating, '') = 'like') + (COALESCE(admin_feedback_rating, '') = 'like'))
                FROM message GROUP BY workspace_id, app_id, quarter;
                INSERT INTO message_rollup_member (workspace_id, app_id, kind, bucket, member, messages)
                SELECT workspace_id, app_id, 'conversation', CAST(created_at / 900 AS INTEGER) AS quarter, conversation_id, COUNT(*)
                FROM message WHERE conversation_id IS NOT NULL GROUP BY workspace_id, app_id, quarter, conversation_id;
                INSERT INTO message_rollup_member (workspace_id, app_id, kind, bucket, member, messages)
                SELECT workspace_id, app_id, 'end_user', CAST(created_at / 900 AS INTEGER) AS quarter, end_user, COUNT(*)
                FROM message GROUP BY workspace_id, app_id, quarter, end_user;
                UPDATE conversation SET message_count = (SELECT COUNT(*) FROM message WHERE message.conversation_id = conversation.id);
                CREATE TRIGGER message_rollup_insert AFTER INSERT ON message BEGIN
                    INSERT INTO message_rollup (workspace_id, app_id, bucket, shard, messages, lone_messages, tokens, answer_tokens,
                        total_price, latency, likes)
                    VALUES (new.workspace_id, new.app_id, CAST(new.created_at / 900 AS INTEGER), 0, 1, new.conversation_id IS NULL,
                        new.message_tokens + new.answer_tokens, new.answer_tokens, new.total_price, new.latency,
                        (COALESCE(new.feedback_rating, '') = 'like') + (COALESCE(new.admin_feedback_rating, '') = 'like'))
                    ON CONFLICT (workspace_id, app_id, bucket, shard) DO UPDATE SET messages = messages + 1,
                        lone_messages = lone_messages + excluded.lone_messages, tokens = tokens + excluded.tokens,
                        answer_tokens = answer_tokens + excluded.answer_tokens, total_price = total_price + excluded.total_price,
                        latency = latency + excluded.latency, likes = likes + excluded.likes;
                    INSERT INTO message_rollup_member (workspace_id, app_id, kind, bucket, member, messages)
                    SELECT new.workspace_id, new.app_id, 'conversation', CAST(new.created_at / 900 AS INTEGER), new.conversation_id, 1
                    WHERE new.conversation_id IS NOT NULL
                    ON CONFLICT (workspace_id, app_id, kind, bucket, member) DO UPDATE SET messages = messages + 1;
                    INSERT INTO message_rollup_member (workspace_id, app_id, kind, bucket, member, messages)
                    VALUES (new.workspace_id, new.app_id, 'end_user', CAST(new.created_at / 900 AS INTEGER), new.end_user, 1)
                    ON CONFLICT (workspace_id, app_id, kind, bucket, member) DO UPDATE SET messages = messages + 1;
                    UPDATE conversation SET message_count = message_count + 1 WHERE id = new.conversation_id;
                END;
                CREATE TRIGGER message_rollup_update
                AFTER UPDATE OF message_tokens, answer_tokens, total_price, latency, feedback_rating, admin_feedback_rating ON message BEGIN
                    UPDATE message_rollup SET
                        tokens = tokens + (new.message_tokens + new.answer_tokens) - (old.message_tokens + old.answer_tokens),
                        answer_tokens = answer_tokens + new.answer_tokens - old.answer_tokens,
                        total_price = total_price + new.total_price - old.total_price, latency = latency + new.latency - old.latency,
                        likes = likes + (COALESCE(new.feedback_rating, '') = 'like') + (COALESCE(new.admin_feedback_rating, '') = 'like')
                            - (COALESCE(old.feedback_rating, '') = 'like') - (COALESCE(old.admin_feedback_rating, '') = 'like')
                    WHERE workspace_id = old.workspace_id AND app_id = old.app_id AND bucket = CAST(old.created_at / 900 AS INTEGER)
                        AND shard = 0;
                END;
                CREATE TRIGGER message_rollup_delete AFTER DELETE ON message BEGIN
                    UPDATE message_rollup SET messages = messages - 1, lone_messages = lone_messages - (old.conversation_id IS NULL),
                        tokens = tokens - old.message_tokens - old.answer_tokens, answer_tokens = answer_tokens - old.answer_tokens,
                        total_price = total_price - old.total_price, latency = latency - old.latency,
                        likes = likes - (COALESCE(old.feedback_rating, '') = 'like') - (COALESCE(old.admin_feedback_rating, '') = 'like')
                    WHERE workspace_id = old.workspace_id AND app_id = old.app_id AND bucket = CAST(old.created_at / 900 AS INTEGER)
                        AND shard = 0;
                    DELETE FROM message_rollup WHERE workspace_id = old.workspace_id AND app_id = old.app_id
                        AND bucket = CAST(old.created_at / 900 AS INTEGER) AND shard = 0 AND messages <= 0;
                    UPDATE message_rollup_member SET messages = messages - 1
                    WHERE workspace_id = old.workspace_id AND app_id = old.app_id AND bucket = CAST(old.created_at / 900 AS INTEGER)
                        AND ((kind = 'conversation' AND member = old.conversation_id) OR (kind = 'end_user' AND member = old.end_user));
                    DELETE FROM message_rollup_member
                    WHERE workspace_id = old.workspace_id AND app_id = old.app_id AND bucket = CAST(old.created_at / 900 AS INTEGER)
                        AND ((kind = 'conversation' AND member = old.conversation_id) OR (kind = 'end_user' AND member = old.end_user))
                        AND messages <= 0;
                    UPDATE conversation SET message_count = message_count - 1 WHERE id = old.conversation_id;
                END;
                """
        ),
    ]
}
