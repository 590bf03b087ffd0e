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
    ]
}
