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
        )
    ]
}
