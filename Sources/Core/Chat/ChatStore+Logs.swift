public import Foundation

/// What the console's logs and Dify's app-level reads see of an app's conversations: every end user's, scoped by
/// workspace and app.
extension ChatStore {
    public func endUser(_ id: EndUserID, of app: AppID, in workspace: WorkspaceID) async throws -> EndUser? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT * FROM end_user WHERE id = \(id) AND app_id = \(app) AND workspace_id = \(workspace)").map {
                EndUser(
                    id: try $0.identifier("id"), workspaceID: try $0.identifier("workspace_id"), appID: try $0.identifier("app_id"),
                    sessionID: try $0.string("session_id"), createdAt: try $0.date("created_at")
                )
            }
        }
    }

    /// A page of the app's feedback (end users' and the team's), newest first.
    public func feedbacks(of app: AppID, in workspace: WorkspaceID, page: Int, limit: Int) async throws -> [MessageFeedback] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT * FROM (
                    SELECT m.id, m.conversation_id, m.app_id, 'user' AS source, m.feedback_rating AS rating, m.feedback_content AS content,
                    e.id AS end_user_id, NULL AS account_id, COALESCE(m.feedback_at, m.updated_at) AS at
                    FROM message m LEFT JOIN end_user e ON e.app_id = m.app_id AND e.session_id = m.end_user
                    WHERE m.workspace_id = \(workspace) AND m.app_id = \(app) AND m.feedback_rating IS NOT NULL
                    UNION ALL
                    SELECT m.id, m.conversation_id, m.app_id, 'admin' AS source, m.admin_feedback_rating AS rating,
                    m.admin_feedback_content AS content, NULL AS end_user_id, m.admin_feedback_by AS account_id, m.admin_feedback_at AS at
                    FROM message m WHERE m.workspace_id = \(workspace) AND m.app_id = \(app) AND m.admin_feedback_rating IS NOT NULL
                ) f ORDER BY at DESC, id DESC LIMIT \(limit) OFFSET \((page - 1) * limit)
                """
            ).compactMap { row in
                guard let rating = ChatMessage.Feedback.Rating(rawValue: try row.string("rating")) else { return nil }
                return MessageFeedback(
                    messageID: try row.identifier("id"), conversationID: try row.optionalIdentifier("conversation_id"),
                    appID: try row.identifier("app_id"), fromSource: try row.string("source"),
                    feedback: ChatMessage.Feedback(rating: rating, content: try row.optionalString("content")),
                    endUserID: try row.optionalIdentifier("end_user_id"), accountID: try row.optionalIdentifier("account_id"),
                    createdAt: try row.date("at")
                )
            }
        }
    }

    /// Sets (or with `nil` clears) the team's feedback on a message of the app; `false` when there is no such message.
    public func setAdminFeedback(
        _ feedback: ChatMessage.Feedback?, on message: MessageID, of app: AppID, in workspace: WorkspaceID, by account: AccountID?, at date: Date
    ) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.changes(
                """
                UPDATE message SET admin_feedback_rating = \(feedback?.rating.rawValue), admin_feedback_content = \(feedback?.content),
                admin_feedback_by = \(feedback == nil ? nil : account), admin_feedback_at = \(feedback == nil ? nil : date)
                WHERE id = \(message) AND app_id = \(app) AND workspace_id = \(workspace) RETURNING id
                """
            ) > 0
        }
    }

    /// A page of a chat app's conversations as the logs list them.
    public func conversationLogs(of app: AppID, in workspace: WorkspaceID, matching query: ConversationLogQuery) async throws -> Page<ConversationLog>
    {
        var filter: SQL = "c.workspace_id = \(workspace) AND c.app_id = \(app)"
        let timeColumn = query.order.column == "updated_at" ? "c.updated_at" : "c.created_at"
        if let start = query.start { filter += " AND \(unescaped: timeColumn) >= \(start)" }
        if let end = query.end { filter += " AND \(unescaped: timeColumn) <= \(end)" }
        if let keyword = query.keyword, !keyword.isEmpty {
            filter += """
                 AND (\(SQL.contains(column: "c.name", keyword)) OR \(SQL.contains(column: "c.introduction", keyword))
                OR \(SQL.contains(column: "c.end_user", keyword)) OR EXISTS (SELECT 1 FROM message k WHERE k.conversation_id = c.id
                AND (\(SQL.contains(column: "k.query", keyword)) OR \(SQL.contains(column: "k.answer", keyword)))))
                """
        }
        switch query.annotationStatus {
        case .all: break
        case .annotated: filter += " AND EXISTS (SELECT 1 FROM annotation a WHERE a.conversation_id = c.id)"
        case .notAnnotated: filter += " AND NOT EXISTS (SELECT 1 FROM annotation a WHERE a.conversation_id = c.id)"
        }
        let order = "c.\(query.order.column) \(query.order.direction), c.id \(query.order.direction)"
        return try await database.read(.workspace(workspace)) { [filter] transaction in
            let rows = try await transaction.rows(
                """
                SELECT c.*, \(unescaped: Self.logCounts), COUNT(*) OVER () AS total
                FROM conversation c LEFT JOIN end_user e ON e.app_id = c.app_id AND e.session_id = c.end_user
                WHERE \(filter) ORDER BY \(unescaped: order) LIMIT \(query.limit) OFFSET \((query.page - 1) * query.limit)
                """
            )
            let total =
                try await rows.isEmpty
                ? transaction.count("SELECT COUNT(*) AS n FROM conversation c WHERE \(filter)") : rows[0].int("total")
            var logs: [ConversationLog] = []
            for row in rows { logs.append(try await Self.log(row, transaction)) }
            return Page(items: logs, total: total, page: query.page, limit: query.limit)
        }
    }

    /// One conversation of a chat app as the logs show it, marked read by `reader` the first time; `nil` when the app
    /// has no such conversation.
    public func conversationLog(
        _ id: ConversationID, of app: AppID, in workspace: WorkspaceID, readBy reader: AccountID?, at date: Date
    )
        async throws -> ConversationLog?
    {
        try await database.write(.workspace(workspace)) { transaction -> ConversationLog? in
            guard
                let row = try await transaction.row(
                    """
                    SELECT c.*, \(unescaped: Self.logCounts)
                    FROM conversation c LEFT JOIN end_user e ON e.app_id = c.app_id AND e.session_id = c.end_user
                    WHERE c.id = \(id) AND c.app_id = \(app) AND c.workspace_id = \(workspace)
                    """
                )
            else { return nil }
            try await transaction.execute(
                "UPDATE conversation SET read_at = \(date), read_by = \(reader) WHERE id = \(id) AND workspace_id = \(workspace) AND read_at IS NULL"
            )
            return try await Self.log(row, transaction)
        }
    }

    /// The counts beside a conversation in the logs, as columns of one row.
    private static let logCounts = """
        e.id AS end_user_id,
        (SELECT COUNT(*) FROM message m WHERE m.conversation_id = c.id) AS message_count,
        (SELECT COUNT(*) FROM message m WHERE m.conversation_id = c.id AND m.feedback_rating = 'like') AS user_likes,
        (SELECT COUNT(*) FROM message m WHERE m.conversation_id = c.id AND m.feedback_rating = 'dislike') AS user_dislikes,
        (SELECT COUNT(*) FROM message m WHERE m.conversation_id = c.id AND m.admin_feedback_rating = 'like') AS admin_likes,
        (SELECT COUNT(*) FROM message m WHERE m.conversation_id = c.id AND m.admin_feedback_rating = 'dislike') AS admin_dislikes,
        (SELECT COUNT(*) FROM message m WHERE m.conversation_id = c.id AND m.status = 'error') AS failed_messages,
        (SELECT COUNT(*) FROM annotation a WHERE a.conversation_id = c.id) AS annotations
        """

    private static func log(_ row: StoredRow, _ transaction: SQLTransaction) async throws -> ConversationLog {
        let conversation = try Conversation(row: row)
        let first = try await transaction.row(
            "SELECT * FROM message WHERE conversation_id = \(conversation.id) AND workspace_id = \(conversation.workspaceID) ORDER BY created_at, id LIMIT 1"
        ).map(ChatMessage.init(row:))
        return ConversationLog(
            conversation: conversation, endUserID: try row.optionalIdentifier("end_user_id"), firstMessage: first,
            messageCount: try row.int("message_count"), userLikes: try row.int("user_likes"), userDislikes: try row.int("user_dislikes"),
            adminLikes: try row.int("admin_likes"), adminDislikes: try row.int("admin_dislikes"),
            failedMessages: try row.int("failed_messages"), annotated: try row.int("annotations") > 0,
            readAt: try row.optionalDate("read_at")
        )
    }

    /// A page of a completion app's messages as the logs list them (each stands for a conversation, as in Dify).
    public func completionLogs(of app: AppID, in workspace: WorkspaceID, matching query: ConversationLogQuery) async throws -> Page<ConversationLog> {
        var filter: SQL = "m.workspace_id = \(workspace) AND m.app_id = \(app) AND m.conversation_id IS NULL"
        if let start = query.start { filter += " AND m.created_at >= \(start)" }
        if let end = query.end { filter += " AND m.created_at <= \(end)" }
        if let keyword = query.keyword, !keyword.isEmpty {
            filter += " AND (\(SQL.contains(column: "m.query", keyword)) OR \(SQL.contains(column: "m.answer", keyword)))"
        }
        switch query.annotationStatus {
        case .all: break
        case .annotated: filter += " AND EXISTS (SELECT 1 FROM annotation a WHERE a.message_id = m.id)"
        case .notAnnotated: filter += " AND NOT EXISTS (SELECT 1 FROM annotation a WHERE a.message_id = m.id)"
        }
        return try await database.read(.workspace(workspace)) { [filter] transaction in
            let rows = try await transaction.rows(
                """
                SELECT m.*, e.id AS end_user_id, COUNT(*) OVER () AS total
                FROM message m LEFT JOIN end_user e ON e.app_id = m.app_id AND e.session_id = m.end_user
                WHERE \(filter) ORDER BY m.created_at DESC, m.id DESC LIMIT \(query.limit) OFFSET \((query.page - 1) * query.limit)
                """
            )
            let total = try await rows.isEmpty ? transaction.count("SELECT COUNT(*) AS n FROM message m WHERE \(filter)") : rows[0].int("total")
            return Page(items: try rows.map(Self.completionLog), total: total, page: query.page, limit: query.limit)
        }
    }

    /// One message of a completion app as the logs show it; `nil` when the app has no such message.
    public func completionLog(_ id: MessageID, of app: AppID, in workspace: WorkspaceID) async throws -> ConversationLog? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                """
                SELECT m.*, e.id AS end_user_id FROM message m LEFT JOIN end_user e ON e.app_id = m.app_id AND e.session_id = m.end_user
                WHERE m.id = \(id) AND m.app_id = \(app) AND m.workspace_id = \(workspace) AND m.conversation_id IS NULL
                """
            ).map(Self.completionLog)
        }
    }

    private static func completionLog(_ row: StoredRow) throws -> ConversationLog {
        let message = try ChatMessage(row: row)
        let liked = { (rating: ChatMessage.Feedback?, value: ChatMessage.Feedback.Rating) in rating?.rating == value ? 1 : 0 }
        return ConversationLog(
            conversation: Conversation(
                id: ConversationID(message.id.uuid), workspaceID: message.workspaceID, appID: message.appID, endUser: message.endUser,
                name: "", inputs: message.inputs, introduction: "", createdAt: message.createdAt, updatedAt: try row.date("updated_at")
            ),
            endUserID: try row.optionalIdentifier("end_user_id"), firstMessage: message, messageCount: 1,
            userLikes: liked(message.feedback, .like), userDislikes: liked(message.feedback, .dislike),
            adminLikes: liked(message.adminFeedback, .like), adminDislikes: liked(message.adminFeedback, .dislike),
            failedMessages: message.status == .error ? 1 : 0, annotated: false
        )
    }

    /// Messages of a conversation of the app before `firstID` (exclusive), the newest `limit`, oldest first; `nil` when
    /// `firstID` names no message of the conversation, 404 when the app has no such conversation.
    public func logMessages(
        of conversation: ConversationID, app: AppID, in workspace: WorkspaceID, before firstID: MessageID?, limit: Int
    )
        async throws -> Slice<ChatMessage>?
    {
        try await database.read(.workspace(workspace)) { transaction in
            guard
                try await transaction.row(
                    "SELECT 1 AS found FROM conversation WHERE id = \(conversation) AND app_id = \(app) AND workspace_id = \(workspace)") != nil
            else { throw RelayError.notFound("Conversation Not Exists.") }
            return try await Self.page(
                of: conversation, where: "app_id = \(app) AND workspace_id = \(workspace)", in: workspace, before: firstID, limit: limit, transaction)
        }
    }

    /// One message of the app, any end user's.
    public func logMessage(_ id: MessageID, of app: AppID, in workspace: WorkspaceID) async throws -> ChatMessage? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT * FROM message WHERE id = \(id) AND app_id = \(app) AND workspace_id = \(workspace)")
                .map(ChatMessage.init(row:))
        }
    }

    /// The end user ids of sessions of the app, by session.
    public func endUserIDs(of sessions: [String], app: AppID, in workspace: WorkspaceID) async throws -> [String: EndUserID] {
        guard !sessions.isEmpty else { return [:] }
        return try await database.read(.workspace(workspace)) { transaction in
            var ids: [String: EndUserID] = [:]
            for row in try await transaction.rows(
                "SELECT id, session_id FROM end_user WHERE app_id = \(app) AND workspace_id = \(workspace) AND session_id IN (\(list: sessions))"
            ) { ids[try row.string("session_id")] = try row.identifier("id") }
            return ids
        }
    }

    /// Deletes a conversation of the app (any end user's) with its messages; for a completion app the message that
    /// stands for one. `false` when there is no such conversation.
    public func deleteLog(_ id: ConversationID, of app: AppID, in workspace: WorkspaceID, completion: Bool) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            if completion {
                return try await transaction.changes(
                    "DELETE FROM message WHERE id = \(MessageID(id.uuid)) AND app_id = \(app) AND workspace_id = \(workspace) AND conversation_id IS NULL RETURNING id"
                ) > 0
            }
            return try await transaction.changes(
                "DELETE FROM conversation WHERE id = \(id) AND app_id = \(app) AND workspace_id = \(workspace) RETURNING id") > 0
        }
    }

    /// Whether a message of the app carries the uploaded file (its id in the message's files).
    public func carries(_ file: FileID, app: AppID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                "SELECT 1 AS found FROM message WHERE app_id = \(app) AND workspace_id = \(workspace) AND files LIKE \("%\"" + file.description + "\"%") LIMIT 1"
            ) != nil
        }
    }
}
