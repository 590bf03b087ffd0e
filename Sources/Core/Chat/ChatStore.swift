public import Foundation

/// Who asks, of which app: every conversation and message call is scoped to one end user of one app of one workspace.
public struct EndUserScope: Sendable, Equatable {
    public let workspaceID: WorkspaceID
    public let appID: AppID
    public let endUser: String

    public init(workspaceID: WorkspaceID, appID: AppID, endUser: String) {
        self.workspaceID = workspaceID
        self.appID = appID
        self.endUser = endUser
    }
}

/// Storage of app model configurations, conversations and messages. A conversation or message of another end user,
/// app or workspace is indistinguishable from none.
public struct ChatStore: StopRequests {
    let database: SQLDatabase

    /// Stop requests are recorded on the message that runs the task.
    private var stops: TaskStopRequests { TaskStopRequests(table: "message", database: database) }

    public func modelConfig(of app: AppID, in workspace: WorkspaceID) async throws -> AppModelConfig? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT config FROM app_model_config WHERE app_id = \(app) AND workspace_id = \(workspace)")
                .map { try StoredJSON.decode(AppModelConfig.self, try $0.string("config"), column: "config") }
        }
    }

    /// Stores the app's configuration; `false` when there is no such app.
    public func saveModelConfig(_ config: AppModelConfig, of app: AppID, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        let text = try config.encoded()
        return try await database.write(.workspace(workspace)) { transaction in
            // Selecting from `app` inserts nothing when the workspace has no such app. (SQLite needs the WHERE clause to
            // read the ON CONFLICT as the upsert's and not as a join's.)
            try await transaction.changes(
                """
                INSERT INTO app_model_config (workspace_id, app_id, config, updated_at)
                SELECT workspace_id, id, \(text), \(date) FROM app WHERE id = \(app) AND workspace_id = \(workspace)
                ON CONFLICT (app_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
                RETURNING app_id
                """
            ) > 0
        }
    }

    public func conversation(_ id: ConversationID, of scope: EndUserScope) async throws -> Conversation? {
        try await database.read(.workspace(scope.workspaceID)) { transaction in try await Self.conversation(id, of: scope, transaction) }
    }

    /// A page after `lastID` (exclusive) in `order`; `nil` when `lastID` names no conversation of the scope.
    public func conversations(
        of scope: EndUserScope, after lastID: ConversationID?, limit: Int, order: ConversationOrder
    ) async throws
        -> Slice<Conversation>?
    {
        try await database.read(.workspace(scope.workspaceID)) { transaction -> Slice<Conversation>? in
            var sql: SQL = "SELECT * FROM conversation WHERE \(Self.matches(scope))"
            if let lastID {
                guard let last = try await Self.conversation(lastID, of: scope, transaction) else { return nil }
                let value = order.column == "created_at" ? last.createdAt : last.updatedAt
                let (column, after) = (order.column, order.after)
                sql += " AND (\(unescaped: column) \(unescaped: after) \(value)"
                sql += " OR (\(unescaped: column) = \(value) AND id \(unescaped: after) \(lastID)))"
            }
            sql += " ORDER BY \(unescaped: order.column) \(unescaped: order.direction), id \(unescaped: order.direction) LIMIT \(limit + 1)"
            let rows = try await transaction.rows(sql).map(Conversation.init(row:))
            return Slice(items: Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }

    public func rename(_ id: ConversationID, of scope: EndUserScope, to name: String, at date: Date) async throws -> Conversation? {
        try await database.write(.workspace(scope.workspaceID)) { transaction in
            try await transaction.row(
                "UPDATE conversation SET name = \(name), updated_at = \(date) WHERE id = \(id) AND \(Self.matches(scope)) RETURNING *"
            ).map(Conversation.init(row:))
        }
    }

    /// Deletes the conversation and its messages; `false` when there is no such conversation.
    public func delete(_ id: ConversationID, of scope: EndUserScope) async throws -> Bool {
        try await database.write(.workspace(scope.workspaceID)) { transaction in
            try await transaction.changes("DELETE FROM conversation WHERE id = \(id) AND \(Self.matches(scope)) RETURNING id") > 0
        }
    }

    /// Stores a new message (and `conversation`, when it starts one) in one transaction, and marks its conversation
    /// updated.
    public func begin(_ message: ChatMessage, starting conversation: Conversation?) async throws {
        try await database.write(.workspace(message.workspaceID)) { transaction in
            if conversation != nil || message.conversationID == nil {
                // The end user's first conversation (or completion) with the app names them: Dify's end user, with an id.
                try await transaction.execute(
                    """
                    INSERT INTO end_user (id, workspace_id, app_id, session_id, created_at)
                    VALUES (\(EndUserID()), \(message.workspaceID), \(message.appID), \(message.endUser), \(message.createdAt))
                    ON CONFLICT (app_id, session_id) DO NOTHING
                    """
                )
            }
            if let conversation {
                try await transaction.execute(
                    """
                    INSERT INTO conversation (id, workspace_id, app_id, end_user, name, inputs, introduction, created_at, updated_at)
                    VALUES (\(conversation.id), \(conversation.workspaceID), \(conversation.appID), \(conversation.endUser),
                    \(conversation.name), \(StoredJSON.encode(conversation.inputs)), \(conversation.introduction),
                    \(conversation.createdAt), \(conversation.updatedAt))
                    """
                )
            } else if let id = message.conversationID {
                try await transaction.execute(
                    "UPDATE conversation SET updated_at = \(message.createdAt) WHERE id = \(id) AND workspace_id = \(message.workspaceID)"
                )
            }
            try await transaction.execute(
                """
                INSERT INTO message (id, workspace_id, app_id, conversation_id, end_user, task_id, inputs, query, answer, status, error,
                provider, model, usage, total_tokens, files, retriever_resources, created_at, updated_at)
                VALUES (\(message.id), \(message.workspaceID), \(message.appID), \(message.conversationID), \(message.endUser),
                \(message.taskID), \(StoredJSON.encode(message.inputs)), \(message.query), \(message.answer), \(message.status.rawValue),
                \(message.error), \(message.provider), \(message.model), \(message.usage.map(StoredJSON.encode)),
                \(message.usage?.totalTokens ?? 0), \(StoredJSON.encode(message.files)), \(StoredJSON.encode(message.retrieverResources)),
                \(message.createdAt), \(message.createdAt))
                """
            )
        }
    }

    /// Stores how a message ended.
    public func finish(_ message: ChatMessage, at date: Date) async throws {
        try await database.write(.workspace(message.workspaceID)) { transaction in
            try await transaction.execute(
                """
                UPDATE message SET answer = \(message.answer), status = \(message.status.rawValue), error = \(message.error),
                usage = \(message.usage.map(StoredJSON.encode)), total_tokens = \(message.usage?.totalTokens ?? 0),
                message_tokens = \(message.usage?.promptTokens ?? 0), answer_tokens = \(message.usage?.completionTokens ?? 0),
                latency = \(message.usage?.latency ?? 0), total_price = \(message.usage.flatMap { Double($0.totalPrice) } ?? 0),
                currency = \(message.usage?.currency ?? "USD"), annotation_reply = \(message.annotationReply.map(StoredJSON.encode)),
                updated_at = \(date)
                WHERE id = \(message.id) AND workspace_id = \(message.workspaceID)
                """
            )
        }
    }

    public func message(_ id: MessageID, of scope: EndUserScope) async throws -> ChatMessage? {
        try await database.read(.workspace(scope.workspaceID)) { transaction in
            try await transaction.row("SELECT * FROM message WHERE id = \(id) AND \(Self.matches(scope))").map(ChatMessage.init(row:))
        }
    }

    public func message(task taskID: String, in workspace: WorkspaceID, app: AppID) async throws -> ChatMessage? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                "SELECT * FROM message WHERE task_id = \(taskID) AND workspace_id = \(workspace) AND app_id = \(app)"
            ).map(ChatMessage.init(row:))
        }
    }

    /// Messages of a conversation before `firstID` (exclusive), the newest `limit`, oldest first; `nil` when `firstID`
    /// names no message of the conversation.
    public func messages(
        of conversation: ConversationID, scope: EndUserScope, before firstID: MessageID?, limit: Int
    ) async throws
        -> Slice<ChatMessage>?
    {
        try await database.read(.workspace(scope.workspaceID)) { transaction in
            try await Self.page(of: conversation, where: Self.matches(scope), in: scope.workspaceID, before: firstID, limit: limit, transaction)
        }
    }

    /// Messages of a conversation that also meet `condition`, before `firstID` (exclusive), the newest `limit`, oldest
    /// first; `nil` when `firstID` names no message of the conversation.
    static func page(
        of conversation: ConversationID, where condition: SQL, in workspace: WorkspaceID, before firstID: MessageID?, limit: Int,
        _ transaction: SQLTransaction
    ) async throws -> Slice<ChatMessage>? {
        var sql: SQL = "SELECT * FROM message WHERE conversation_id = \(conversation) AND \(condition)"
        if let firstID {
            guard
                let first = try await transaction.row(
                    "SELECT created_at FROM message WHERE id = \(firstID) AND conversation_id = \(conversation) AND workspace_id = \(workspace)"
                )
            else { return nil }
            let createdAt = try first.double("created_at")
            sql += " AND (created_at < \(createdAt) OR (created_at = \(createdAt) AND id < \(firstID)))"
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
        let rows = try await transaction.rows(sql).map(ChatMessage.init(row:))
        return Slice(items: rows.prefix(limit).reversed(), hasMore: rows.count > limit)
    }

    /// The last `limit` finished exchanges of a conversation, oldest first: what a model remembers.
    public func history(of conversation: ConversationID, in workspace: WorkspaceID, limit: Int) async throws -> [ChatMessage] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT * FROM message WHERE conversation_id = \(conversation) AND workspace_id = \(workspace)
                AND status IN ('normal', 'stopped') ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """
            ).map(ChatMessage.init(row:)).reversed()
        }
    }

    /// Sets (or with `nil` clears) an end user's feedback on a message; `false` when there is no such message.
    public func setFeedback(_ feedback: ChatMessage.Feedback?, on message: MessageID, of scope: EndUserScope, at date: Date) async throws -> Bool {
        try await database.write(.workspace(scope.workspaceID)) { transaction in
            try await transaction.changes(
                """
                UPDATE message SET feedback_rating = \(feedback?.rating.rawValue), feedback_content = \(feedback?.content),
                feedback_at = \(feedback == nil ? nil : date)
                WHERE id = \(message) AND \(Self.matches(scope)) RETURNING id
                """
            ) > 0
        }
    }

    /// Asks whichever instance runs the message's task to stop it.
    public func requestStop(of message: MessageID, in workspace: WorkspaceID, at date: Date) async throws {
        try await stops.requestStop(of: message, in: workspace, at: date)
    }

    public func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)] {
        try await stops.stopRequests(after: date)
    }

    private static func conversation(
        _ id: ConversationID, of scope: EndUserScope, _ transaction: SQLTransaction
    ) async throws
        -> Conversation?
    {
        try await transaction.row("SELECT * FROM conversation WHERE id = \(id) AND \(matches(scope))").map(Conversation.init(row:))
    }

    /// The condition that keeps rows of `conversation` and `message` to the scope's workspace, app and end user.
    private static func matches(_ scope: EndUserScope) -> SQL {
        "workspace_id = \(scope.workspaceID) AND app_id = \(scope.appID) AND end_user = \(scope.endUser)"
    }
}
