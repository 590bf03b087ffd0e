import Foundation
import GRDB

struct SQLiteChatStore: ChatStore {
    let writer: any DatabaseWriter

    func modelConfig(of app: AppID, in workspace: WorkspaceID) async throws -> AppModelConfig? {
        try await writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT config FROM app_model_config WHERE app_id = ? AND workspace_id = ?",
                arguments: [app.description, workspace.description]
            ).map { try StoredJSON.decode(AppModelConfig.self, $0, column: "config") }
        }
    }

    func saveModelConfig(_ config: AppModelConfig, of app: AppID, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        let text = try config.encoded()
        return try await writer.write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM app WHERE id = ? AND workspace_id = ?", arguments: [app.description, workspace.description]
                ) != nil
            else { return false }
            try db.execute(
                sql: """
                    INSERT INTO app_model_config (workspace_id, app_id, config, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (app_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
                    """,
                arguments: [workspace.description, app.description, text, date.storedValue]
            )
            return true
        }
    }

    func conversation(_ id: ConversationID, of scope: EndUserScope) async throws -> Conversation? {
        try await writer.read { db in try Self.conversation(id, of: scope, db) }
    }

    func conversations(of scope: EndUserScope, after lastID: ConversationID?, limit: Int, order: ConversationOrder) async throws
        -> Slice<Conversation>?
    {
        try await writer.read { db -> Slice<Conversation>? in
            var sql = "SELECT * FROM conversation WHERE workspace_id = ? AND app_id = ? AND end_user = ?"
            var arguments: StatementArguments = Self.arguments(scope)
            if let lastID {
                guard let last = try Self.conversation(lastID, of: scope, db) else { return nil }
                let value = order.column == "created_at" ? last.createdAt.storedValue : last.updatedAt.storedValue
                sql += " AND (\(order.column) \(order.after) ? OR (\(order.column) = ? AND id \(order.after) ?))"
                arguments += [value, value, lastID.description]
            }
            sql += " ORDER BY \(order.column) \(order.direction), id \(order.direction) LIMIT ?"
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map { try Conversation(row: $0) }
            return Slice(items: Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }

    func rename(_ id: ConversationID, of scope: EndUserScope, to name: String, at date: Date) async throws -> Conversation? {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE conversation SET name = ?, updated_at = ? WHERE id = ? AND workspace_id = ? AND app_id = ? AND end_user = ?",
                arguments: [name, date.storedValue, id.description] + Self.arguments(scope)
            )
            return try Self.conversation(id, of: scope, db)
        }
    }

    func delete(_ id: ConversationID, of scope: EndUserScope) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM conversation WHERE id = ? AND workspace_id = ? AND app_id = ? AND end_user = ?",
                arguments: [id.description] + Self.arguments(scope)
            )
            return db.changesCount > 0
        }
    }

    func begin(_ message: ChatMessage, starting conversation: Conversation?) async throws {
        try await writer.write { db in
            if let conversation {
                try db.execute(
                    sql: """
                        INSERT INTO conversation (id, workspace_id, app_id, end_user, name, inputs, introduction, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        conversation.id.description, conversation.workspaceID.description, conversation.appID.description,
                        conversation.endUser, conversation.name, StoredJSON.encode(conversation.inputs), conversation.introduction,
                        conversation.createdAt.storedValue, conversation.updatedAt.storedValue,
                    ]
                )
            } else if let id = message.conversationID {
                try db.execute(
                    sql: "UPDATE conversation SET updated_at = ? WHERE id = ? AND workspace_id = ?",
                    arguments: [message.createdAt.storedValue, id.description, message.workspaceID.description]
                )
            }
            let placeholders = Array(repeating: "?", count: ChatMessage.columns.count).joined(separator: ", ")
            try db.execute(
                sql: "INSERT INTO message (\(ChatMessage.columns.joined(separator: ", "))) VALUES (\(placeholders))",
                arguments: StatementArguments(message.storedValues)
            )
        }
    }

    func finish(_ message: ChatMessage, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE message SET answer = ?, status = ?, error = ?, usage = ?, total_tokens = ?, updated_at = ?
                    WHERE id = ? AND workspace_id = ?
                    """,
                arguments: [
                    message.answer, message.status.rawValue, message.error, message.usage.map(StoredJSON.encode),
                    message.usage?.totalTokens ?? 0, date.storedValue, message.id.description, message.workspaceID.description,
                ]
            )
        }
    }

    func message(_ id: MessageID, of scope: EndUserScope) async throws -> ChatMessage? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM message WHERE id = ? AND workspace_id = ? AND app_id = ? AND end_user = ?",
                arguments: [id.description] + Self.arguments(scope)
            ).map { try ChatMessage(row: $0) }
        }
    }

    func message(task taskID: String, in workspace: WorkspaceID, app: AppID) async throws -> ChatMessage? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM message WHERE task_id = ? AND workspace_id = ? AND app_id = ?",
                arguments: [taskID, workspace.description, app.description]
            ).map { try ChatMessage(row: $0) }
        }
    }

    func messages(of conversation: ConversationID, scope: EndUserScope, before firstID: MessageID?, limit: Int) async throws
        -> Slice<ChatMessage>?
    {
        try await writer.read { db -> Slice<ChatMessage>? in
            var sql = "SELECT * FROM message WHERE conversation_id = ? AND workspace_id = ? AND app_id = ? AND end_user = ?"
            var arguments: StatementArguments = [conversation.description] + Self.arguments(scope)
            if let firstID {
                guard
                    let first = try Double.fetchOne(
                        db, sql: "SELECT created_at FROM message WHERE id = ? AND conversation_id = ? AND workspace_id = ?",
                        arguments: [firstID.description, conversation.description, scope.workspaceID.description]
                    )
                else { return nil }
                sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
                arguments += [first, first, firstID.description]
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map { try ChatMessage(row: $0) }
            return Slice(items: rows.prefix(limit).reversed(), hasMore: rows.count > limit)
        }
    }

    func history(of conversation: ConversationID, in workspace: WorkspaceID, limit: Int) async throws -> [ChatMessage] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM message WHERE conversation_id = ? AND workspace_id = ? AND status IN ('normal', 'stopped')
                    ORDER BY created_at DESC, id DESC LIMIT ?
                    """,
                arguments: [conversation.description, workspace.description, limit]
            ).map { try ChatMessage(row: $0) }.reversed()
        }
    }

    func setFeedback(_ feedback: ChatMessage.Feedback?, on message: MessageID, of scope: EndUserScope) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE message SET feedback_rating = ?, feedback_content = ?
                    WHERE id = ? AND workspace_id = ? AND app_id = ? AND end_user = ?
                    """,
                arguments: [feedback?.rating.rawValue, feedback?.content, message.description] + Self.arguments(scope)
            )
            return db.changesCount > 0
        }
    }

    func requestStop(of message: MessageID, in workspace: WorkspaceID, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE message SET stop_requested_at = ? WHERE id = ? AND workspace_id = ? AND status = 'running'",
                arguments: [date.storedValue, message.description, workspace.description]
            )
        }
    }

    func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT task_id, stop_requested_at FROM message WHERE stop_requested_at >= ? AND status = 'running'",
                arguments: [date.storedValue]
            ).map { (try $0.string("task_id"), try $0.date("stop_requested_at")) }
        }
    }

    private static func conversation(_ id: ConversationID, of scope: EndUserScope, _ db: Database) throws -> Conversation? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM conversation WHERE id = ? AND workspace_id = ? AND app_id = ? AND end_user = ?",
            arguments: [id.description] + arguments(scope)
        ).map { try Conversation(row: $0) }
    }

    private static func arguments(_ scope: EndUserScope) -> StatementArguments {
        [scope.workspaceID.description, scope.appID.description, scope.endUser]
    }
}
