import Foundation
import PostgresNIO

struct PostgresChatStore: ChatStore {
    let database: PostgresDatabase

    func modelConfig(of app: AppID, in workspace: WorkspaceID) async throws -> AppModelConfig? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT config FROM app_model_config WHERE app_id = \(app.description) AND workspace_id = \(workspace.description)",
                logger: database.logger
            ).first.map { try StoredJSON.decode(AppModelConfig.self, try $0.string("config"), column: "config") }
        }
    }

    func saveModelConfig(_ config: AppModelConfig, of app: AppID, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        let text = try config.encoded()
        return try await database.transaction(.workspace(workspace)) { connection in
            try await connection.changes(
                """
                INSERT INTO app_model_config (workspace_id, app_id, config, updated_at)
                SELECT workspace_id, id, \(text), \(date.storedValue) FROM app
                WHERE id = \(app.description) AND workspace_id = \(workspace.description)
                ON CONFLICT (app_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
                RETURNING app_id
                """,
                logger: database.logger
            ) > 0
        }
    }

    func conversation(_ id: ConversationID, of scope: EndUserScope) async throws -> Conversation? {
        try await database.transaction(.workspace(scope.workspaceID)) { connection in
            try await Self.conversation(id, of: scope, connection, database)
        }
    }

    func conversations(of scope: EndUserScope, after lastID: ConversationID?, limit: Int, order: ConversationOrder) async throws
        -> Slice<Conversation>?
    {
        try await database.transaction(.workspace(scope.workspaceID)) { connection -> Slice<Conversation>? in
            var cursor: (value: Double, id: String)?
            if let lastID {
                guard let last = try await Self.conversation(lastID, of: scope, connection, database) else { return nil }
                cursor = (order.column == "created_at" ? last.createdAt.storedValue : last.updatedAt.storedValue, lastID.description)
            }
            let rows = try await connection.rows(
                """
                SELECT * FROM conversation WHERE workspace_id = \(scope.workspaceID.description) AND app_id = \(scope.appID.description)
                AND end_user = \(scope.endUser)
                AND (\(cursor?.value)::DOUBLE PRECISION IS NULL OR \(unescaped: order.column) \(unescaped: order.after) \(cursor?.value)
                    OR (\(unescaped: order.column) = \(cursor?.value) AND id \(unescaped: order.after) \(cursor?.id)))
                ORDER BY \(unescaped: order.column) \(unescaped: order.direction), id \(unescaped: order.direction) LIMIT \(limit + 1)
                """,
                logger: database.logger
            ).map { try Conversation(row: $0) }
            return Slice(items: Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }

    func rename(_ id: ConversationID, of scope: EndUserScope, to name: String, at date: Date) async throws -> Conversation? {
        try await database.transaction(.workspace(scope.workspaceID)) { connection in
            try await connection.rows(
                """
                UPDATE conversation SET name = \(name), updated_at = \(date.storedValue)
                WHERE id = \(id.description) AND workspace_id = \(scope.workspaceID.description) AND app_id = \(scope.appID.description)
                AND end_user = \(scope.endUser) RETURNING *
                """,
                logger: database.logger
            ).first.map { try Conversation(row: $0) }
        }
    }

    func delete(_ id: ConversationID, of scope: EndUserScope) async throws -> Bool {
        try await database.transaction(.workspace(scope.workspaceID)) { connection in
            try await connection.changes(
                """
                DELETE FROM conversation WHERE id = \(id.description) AND workspace_id = \(scope.workspaceID.description)
                AND app_id = \(scope.appID.description) AND end_user = \(scope.endUser) RETURNING id
                """,
                logger: database.logger
            ) > 0
        }
    }

    func begin(_ message: ChatMessage, starting conversation: Conversation?) async throws {
        try await database.transaction(.workspace(message.workspaceID)) { connection in
            if let conversation {
                try await connection.run(
                    """
                    INSERT INTO conversation (id, workspace_id, app_id, end_user, name, inputs, introduction, created_at, updated_at)
                    VALUES (\(conversation.id.description), \(conversation.workspaceID.description), \(conversation.appID.description),
                    \(conversation.endUser), \(conversation.name), \(StoredJSON.encode(conversation.inputs)), \(conversation.introduction),
                    \(conversation.createdAt.storedValue), \(conversation.updatedAt.storedValue))
                    """,
                    logger: database.logger
                )
            } else if let id = message.conversationID {
                try await connection.run(
                    """
                    UPDATE conversation SET updated_at = \(message.createdAt.storedValue)
                    WHERE id = \(id.description) AND workspace_id = \(message.workspaceID.description)
                    """,
                    logger: database.logger
                )
            }
            try await connection.run(
                """
                INSERT INTO message (\(unescaped: ChatMessage.columns.joined(separator: ", "))) VALUES (
                \(message.id.description), \(message.workspaceID.description), \(message.appID.description),
                \(message.conversationID?.description), \(message.endUser), \(message.taskID), \(StoredJSON.encode(message.inputs)),
                \(message.query), \(message.answer), \(message.status.rawValue), \(message.error), \(message.provider), \(message.model),
                \(message.usage.map(StoredJSON.encode)), \(message.usage?.totalTokens ?? 0), \(StoredJSON.encode(message.files)),
                \(StoredJSON.encode(message.retrieverResources)), \(message.createdAt.storedValue), \(message.createdAt.storedValue))
                """,
                logger: database.logger
            )
        }
    }

    func finish(_ message: ChatMessage, at date: Date) async throws {
        try await database.transaction(.workspace(message.workspaceID)) { connection in
            try await connection.run(
                """
                UPDATE message SET answer = \(message.answer), status = \(message.status.rawValue), error = \(message.error),
                usage = \(message.usage.map(StoredJSON.encode)), total_tokens = \(message.usage?.totalTokens ?? 0),
                updated_at = \(date.storedValue)
                WHERE id = \(message.id.description) AND workspace_id = \(message.workspaceID.description)
                """,
                logger: database.logger
            )
        }
    }

    func message(_ id: MessageID, of scope: EndUserScope) async throws -> ChatMessage? {
        try await database.transaction(.workspace(scope.workspaceID)) { connection in
            try await connection.rows(
                """
                SELECT * FROM message WHERE id = \(id.description) AND workspace_id = \(scope.workspaceID.description)
                AND app_id = \(scope.appID.description) AND end_user = \(scope.endUser)
                """,
                logger: database.logger
            ).first.map { try ChatMessage(row: $0) }
        }
    }

    func message(task taskID: String, in workspace: WorkspaceID, app: AppID) async throws -> ChatMessage? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT * FROM message WHERE task_id = \(taskID) AND workspace_id = \(workspace.description)
                AND app_id = \(app.description)
                """,
                logger: database.logger
            ).first.map { try ChatMessage(row: $0) }
        }
    }

    func messages(of conversation: ConversationID, scope: EndUserScope, before firstID: MessageID?, limit: Int) async throws
        -> Slice<ChatMessage>?
    {
        try await database.transaction(.workspace(scope.workspaceID)) { connection -> Slice<ChatMessage>? in
            var first: Double?
            if let firstID {
                guard
                    let row = try await connection.rows(
                        """
                        SELECT created_at FROM message WHERE id = \(firstID.description) AND conversation_id = \(conversation.description)
                        AND workspace_id = \(scope.workspaceID.description)
                        """,
                        logger: database.logger
                    ).first
                else { return nil }
                first = try row.double("created_at")
            }
            let rows = try await connection.rows(
                """
                SELECT * FROM message WHERE conversation_id = \(conversation.description)
                AND workspace_id = \(scope.workspaceID.description) AND app_id = \(scope.appID.description) AND end_user = \(scope.endUser)
                AND (\(first)::DOUBLE PRECISION IS NULL OR created_at < \(first) OR (created_at = \(first) AND id < \(firstID?.description)))
                ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
                """,
                logger: database.logger
            ).map { try ChatMessage(row: $0) }
            return Slice(items: rows.prefix(limit).reversed(), hasMore: rows.count > limit)
        }
    }

    func history(of conversation: ConversationID, in workspace: WorkspaceID, limit: Int) async throws -> [ChatMessage] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT * FROM message WHERE conversation_id = \(conversation.description) AND workspace_id = \(workspace.description)
                AND status IN ('normal', 'stopped') ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """,
                logger: database.logger
            ).map { try ChatMessage(row: $0) }.reversed()
        }
    }

    func setFeedback(_ feedback: ChatMessage.Feedback?, on message: MessageID, of scope: EndUserScope) async throws -> Bool {
        try await database.transaction(.workspace(scope.workspaceID)) { connection in
            try await connection.changes(
                """
                UPDATE message SET feedback_rating = \(feedback?.rating.rawValue), feedback_content = \(feedback?.content)
                WHERE id = \(message.description) AND workspace_id = \(scope.workspaceID.description)
                AND app_id = \(scope.appID.description) AND end_user = \(scope.endUser) RETURNING id
                """,
                logger: database.logger
            ) > 0
        }
    }

    func requestStop(of message: MessageID, in workspace: WorkspaceID, at date: Date) async throws {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                """
                UPDATE message SET stop_requested_at = \(date.storedValue)
                WHERE id = \(message.description) AND workspace_id = \(workspace.description) AND status = 'running'
                """,
                logger: database.logger
            )
        }
    }

    func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)] {
        // The instance that runs a task does not know its workspace from the request: it looks across all of them.
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.rows(
                "SELECT task_id, stop_requested_at FROM message WHERE stop_requested_at >= \(date.storedValue) AND status = 'running'",
                logger: database.logger
            ).map { (try $0.string("task_id"), try $0.date("stop_requested_at")) }
        }
    }

    private static func conversation(
        _ id: ConversationID, of scope: EndUserScope, _ connection: PostgresConnection, _ database: PostgresDatabase
    ) async throws -> Conversation? {
        try await connection.rows(
            """
            SELECT * FROM conversation WHERE id = \(id.description) AND workspace_id = \(scope.workspaceID.description)
            AND app_id = \(scope.appID.description) AND end_user = \(scope.endUser)
            """,
            logger: database.logger
        ).first.map { try Conversation(row: $0) }
    }
}
