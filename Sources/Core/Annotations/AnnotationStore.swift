public import Foundation

/// Storage of apps' annotations, their reply settings and their hits. Every method is scoped by workspace and app: an
/// annotation of another app or workspace is indistinguishable from none.
public struct AnnotationStore: Sendable {
    let database: SQLDatabase

    /// A page of the app's annotations, newest first; `keyword` matches the question or the answer, in any case.
    public func annotations(of app: AppID, in workspace: WorkspaceID, matching query: AnnotationQuery) async throws -> Page<Annotation> {
        var filter: SQL = "workspace_id = \(workspace) AND app_id = \(app)"
        if let keyword = query.keyword, !keyword.isEmpty {
            filter += " AND (\(SQL.contains(column: "question", keyword)) OR \(SQL.contains(column: "content", keyword)))"
        }
        return try await database.read(.workspace(workspace)) { [filter] transaction in
            let rows = try await transaction.rows(
                """
                SELECT *, COUNT(*) OVER () AS total FROM annotation WHERE \(filter)
                ORDER BY created_at DESC, id DESC LIMIT \(query.limit) OFFSET \((query.page - 1) * query.limit)
                """
            )
            let total = try await rows.isEmpty ? transaction.count("SELECT COUNT(*) AS n FROM annotation WHERE \(filter)") : rows[0].int("total")
            return Page(items: try rows.map(Annotation.init(row:)), total: total, page: query.page, limit: query.limit)
        }
    }

    /// Every annotation of the app, newest first (the console's export).
    public func allAnnotations(of app: AppID, in workspace: WorkspaceID) async throws -> [Annotation] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM annotation WHERE workspace_id = \(workspace) AND app_id = \(app) ORDER BY created_at DESC, id DESC"
            ).map(Annotation.init(row:))
        }
    }

    public func count(of app: AppID, in workspace: WorkspaceID) async throws -> Int {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.count("SELECT COUNT(*) AS n FROM annotation WHERE workspace_id = \(workspace) AND app_id = \(app)")
        }
    }

    public func annotation(_ id: AnnotationID, of app: AppID, in workspace: WorkspaceID) async throws -> Annotation? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT * FROM annotation WHERE id = \(id) AND workspace_id = \(workspace) AND app_id = \(app)")
                .map(Annotation.init(row:))
        }
    }

    /// The annotations made from these messages, by message.
    public func annotations(ofMessages messages: [MessageID], in workspace: WorkspaceID) async throws -> [MessageID: (Annotation, String?)] {
        guard !messages.isEmpty else { return [:] }
        return try await database.read(.workspace(workspace)) { transaction in
            var found: [MessageID: (Annotation, String?)] = [:]
            for row in try await transaction.rows(
                """
                SELECT annotation.*, account.name AS account_name, account.email AS account_email FROM annotation
                LEFT JOIN account ON account.id = annotation.account_id
                WHERE annotation.workspace_id = \(workspace) AND annotation.message_id IN (\(list: messages))
                """
            ) {
                let annotation = try Annotation(row: row)
                if let message = annotation.messageID { found[message] = (annotation, try row.optionalString("account_name")) }
            }
            return found
        }
    }

    /// Inserts the annotation (with its question's vector when reply is on), or replaces the one of its message. One
    /// an API key writes is the workspace owner's, as Dify's key acts as the owner.
    public func insert(_ annotation: Annotation, vector: (values: [Float], model: String)?) async throws -> Annotation {
        try await database.write(.workspace(annotation.workspaceID)) { transaction in
            if let message = annotation.messageID,
                let existing = try await transaction.row(
                    "SELECT * FROM annotation WHERE message_id = \(message) AND workspace_id = \(annotation.workspaceID) AND app_id = \(annotation.appID)"
                ).map(Annotation.init(row:))
            {
                var changed = existing
                changed.question = annotation.question
                changed.content = annotation.content
                changed.updatedAt = annotation.updatedAt
                try await Self.save(changed, vector: vector, transaction)
                return changed
            }
            try await transaction.execute(
                """
                INSERT INTO annotation (id, workspace_id, app_id, conversation_id, message_id, question, content, hit_count, account_id,
                vector, vector_model, created_at, updated_at)
                VALUES (\(annotation.id), \(annotation.workspaceID), \(annotation.appID), \(annotation.conversationID),
                \(annotation.messageID), \(annotation.question), \(annotation.content), 0,
                COALESCE(\(annotation.accountID), (SELECT account_id FROM membership WHERE workspace_id = \(annotation.workspaceID)
                    AND role = 'owner' ORDER BY created_at LIMIT 1)),
                \(vector.map { StoredVector.encode($0.values) }), \(vector?.model), \(annotation.createdAt), \(annotation.updatedAt))
                """
            )
            return try await transaction.row("SELECT * FROM annotation WHERE id = \(annotation.id) AND workspace_id = \(annotation.workspaceID)")
                .map(Annotation.init(row:)) ?? annotation
        }
    }

    /// Applies `change` to the stored annotation; `nil` when the app has no such annotation.
    public func update(
        _ id: AnnotationID, of app: AppID, in workspace: WorkspaceID, vector: (values: [Float], model: String)?,
        _ change: @escaping @Sendable (inout Annotation) -> Void
    ) async throws -> Annotation? {
        try await database.write(.workspace(workspace)) { transaction -> Annotation? in
            guard
                var annotation = try await transaction.row(
                    "SELECT * FROM annotation WHERE id = \(id) AND workspace_id = \(workspace) AND app_id = \(app) \(SQL.forUpdate())"
                ).map(Annotation.init(row:))
            else { return nil }
            change(&annotation)
            try await Self.save(annotation, vector: vector, transaction)
            return annotation
        }
    }

    private static func save(_ annotation: Annotation, vector: (values: [Float], model: String)?, _ transaction: SQLTransaction) async throws {
        try await transaction.execute(
            """
            UPDATE annotation SET question = \(annotation.question), content = \(annotation.content), updated_at = \(annotation.updatedAt),
            vector = \(vector.map { StoredVector.encode($0.values) }), vector_model = \(vector?.model)
            WHERE id = \(annotation.id) AND workspace_id = \(annotation.workspaceID)
            """
        )
    }

    /// Deletes these annotations of the app (all of them when `ids` is `nil`), with their hits; returns how many went.
    public func delete(_ ids: [AnnotationID]?, of app: AppID, in workspace: WorkspaceID) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        return try await database.write(.workspace(workspace)) { transaction in
            var sql: SQL = "DELETE FROM annotation WHERE workspace_id = \(workspace) AND app_id = \(app)"
            if let ids { sql += " AND id IN (\(list: ids))" }
            return try await transaction.changes(sql + " RETURNING id")
        }
    }

    // MARK: Reply

    public func setting(of app: AppID, in workspace: WorkspaceID) async throws -> AnnotationSetting? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT * FROM annotation_setting WHERE app_id = \(app) AND workspace_id = \(workspace)")
                .map(AnnotationSetting.init(row:))
        }
    }

    /// Turns reply on (or changes its setting) and queues the job that embeds the annotations, in one transaction.
    public func enable(_ setting: AnnotationSetting, job: BackgroundJob) async throws {
        try await database.write(.workspace(setting.workspaceID)) { transaction in
            try await transaction.execute(
                """
                INSERT INTO annotation_setting (id, workspace_id, app_id, score_threshold, embedding_provider, embedding_model, created_by,
                created_at, updated_by, updated_at)
                VALUES (\(setting.id), \(setting.workspaceID), \(setting.appID), \(setting.scoreThreshold), \(setting.embeddingProvider),
                \(setting.embeddingModel), \(setting.createdBy), \(setting.createdAt), \(setting.updatedBy), \(setting.updatedAt))
                ON CONFLICT (app_id) DO UPDATE SET score_threshold = excluded.score_threshold,
                embedding_provider = excluded.embedding_provider, embedding_model = excluded.embedding_model,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """
            )
            try await JobStore.enqueue(job, transaction)
        }
    }

    /// Turns reply off (keeping the annotations, dropping their vectors) and records the job as done, in one transaction.
    public func disable(app: AppID, in workspace: WorkspaceID, job: BackgroundJob) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute("DELETE FROM annotation_setting WHERE app_id = \(app) AND workspace_id = \(workspace)")
            try await transaction.execute(
                "UPDATE annotation SET vector = NULL, vector_model = NULL WHERE app_id = \(app) AND workspace_id = \(workspace)"
            )
            try await JobStore.enqueue(job, doneAt: job.createdAt, transaction)
        }
    }

    /// Changes the threshold of the setting `id`; `nil` when the app has no such setting.
    public func setThreshold(
        _ threshold: Double, of id: AnnotationSettingID, app: AppID, in workspace: WorkspaceID, by account: AccountID?, at date: Date
    ) async throws -> AnnotationSetting? {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.row(
                """
                UPDATE annotation_setting SET score_threshold = \(threshold), updated_by = \(account), updated_at = \(date)
                WHERE id = \(id) AND app_id = \(app) AND workspace_id = \(workspace) RETURNING *
                """
            ).map(AnnotationSetting.init(row:))
        }
    }

    /// The app's annotations whose vectors were not made with `model`, a batch at a time.
    func unembedded(of app: AppID, in workspace: WorkspaceID, model: String, limit: Int) async throws -> [Annotation] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT * FROM annotation WHERE workspace_id = \(workspace) AND app_id = \(app)
                AND (vector_model IS NULL OR vector_model <> \(model)) ORDER BY created_at, id LIMIT \(limit)
                """
            ).map(Annotation.init(row:))
        }
    }

    /// Stores vectors of annotations as long as their question is still the one embedded and reply still uses `model`
    /// (a question changed, or reply turned off, meanwhile keeps what that change left).
    func storeVectors(_ vectors: [(Annotation, [Float])], model: String, in workspace: WorkspaceID, app: AppID) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            for (annotation, vector) in vectors {
                try await transaction.execute(
                    """
                    UPDATE annotation SET vector = \(StoredVector.encode(vector)), vector_model = \(model)
                    WHERE id = \(annotation.id) AND workspace_id = \(workspace) AND question = \(annotation.question)
                    AND EXISTS (SELECT 1 FROM annotation_setting s WHERE s.app_id = \(app) AND s.workspace_id = \(workspace)
                        AND s.embedding_provider || '/' || s.embedding_model = \(model))
                    """
                )
            }
        }
    }

    /// The app's annotations embedded with `model`, with their vectors: what a query is matched against.
    func vectors(of app: AppID, in workspace: WorkspaceID, model: String) async throws -> [(Annotation, [Float])] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM annotation WHERE workspace_id = \(workspace) AND app_id = \(app) AND vector_model = \(model)"
            ).compactMap { row in
                guard let data = try row.optionalData("vector") else { return nil }
                return (try Annotation(row: row), StoredVector.decode(data))
            }
        }
    }

    /// Records that `annotation` answered `question` (one more hit, and the hit with the annotation as it read), and
    /// returns the name of the account that wrote it.
    func recordHit(_ hit: AnnotationHit, of annotation: Annotation) async throws -> String? {
        try await database.write(.workspace(annotation.workspaceID)) { transaction in
            try await transaction.execute(
                "UPDATE annotation SET hit_count = hit_count + 1 WHERE id = \(annotation.id) AND workspace_id = \(annotation.workspaceID)"
            )
            try await transaction.execute(
                """
                INSERT INTO annotation_hit (id, workspace_id, app_id, annotation_id, message_id, source, question, score,
                annotation_question, annotation_content, created_at)
                VALUES (\(hit.id), \(annotation.workspaceID), \(annotation.appID), \(annotation.id), \(hit.messageID), \(hit.source),
                \(hit.question), \(hit.score), \(hit.annotationQuestion), \(hit.annotationContent), \(hit.createdAt))
                """
            )
            guard let account = annotation.accountID else { return nil }
            return try await transaction.row("SELECT name FROM account WHERE id = \(account)").map { try $0.string("name") }
        }
    }

    /// A page of the hits of an annotation, newest first.
    public func hits(of annotation: AnnotationID, app: AppID, in workspace: WorkspaceID, page: Int, limit: Int) async throws -> Page<AnnotationHit> {
        try await database.read(.workspace(workspace)) { transaction in
            let filter: SQL = "workspace_id = \(workspace) AND app_id = \(app) AND annotation_id = \(annotation)"
            let total = try await transaction.count("SELECT COUNT(*) AS n FROM annotation_hit WHERE \(filter)")
            let rows = try await transaction.rows(
                "SELECT * FROM annotation_hit WHERE \(filter) ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \((page - 1) * limit)"
            )
            return Page(items: try rows.map(AnnotationHit.init(row:)), total: total, page: page, limit: limit)
        }
    }

    /// The hits that answered these messages, by message, with the annotation's writer.
    public func hits(ofMessages messages: [MessageID], in workspace: WorkspaceID) async throws -> [MessageID: (AnnotationHit, AccountID?, String?)] {
        guard !messages.isEmpty else { return [:] }
        return try await database.read(.workspace(workspace)) { transaction in
            var found: [MessageID: (AnnotationHit, AccountID?, String?)] = [:]
            for row in try await transaction.rows(
                """
                SELECT h.*, a.account_id AS writer_id, account.name AS writer_name FROM annotation_hit h
                LEFT JOIN annotation a ON a.id = h.annotation_id LEFT JOIN account ON account.id = a.account_id
                WHERE h.workspace_id = \(workspace) AND h.message_id IN (\(list: messages))
                """
            ) {
                let hit = try AnnotationHit(row: row)
                if let message = hit.messageID {
                    found[message] = (hit, try row.optionalIdentifier("writer_id"), try row.optionalString("writer_name"))
                }
            }
            return found
        }
    }
}

extension Annotation {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.identifier("app_id"),
            conversationID: try row.optionalIdentifier("conversation_id"), messageID: try row.optionalIdentifier("message_id"),
            question: try row.string("question"), content: try row.string("content"), hitCount: try row.int("hit_count"),
            accountID: try row.optionalIdentifier("account_id"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}

extension AnnotationSetting {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.identifier("app_id"),
            scoreThreshold: try row.double("score_threshold"), embeddingProvider: try row.string("embedding_provider"),
            embeddingModel: try row.string("embedding_model"), createdBy: try row.optionalIdentifier("created_by"),
            createdAt: try row.date("created_at"), updatedBy: try row.optionalIdentifier("updated_by"), updatedAt: try row.date("updated_at")
        )
    }
}

extension AnnotationHit {
    init(row: StoredRow) throws {
        self.init(
            id: try row.string("id"), annotationID: try row.identifier("annotation_id"), messageID: try row.optionalIdentifier("message_id"),
            source: try row.string("source"), question: try row.string("question"), score: try row.double("score"),
            annotationQuestion: try row.string("annotation_question"), annotationContent: try row.string("annotation_content"),
            createdAt: try row.date("created_at")
        )
    }
}
