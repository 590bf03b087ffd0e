import Foundation

/// Rows of the model-provider, chat and file tables, read the same way from both engines.
enum StoredJSON {
    static func encode<Value: Encodable>(_ value: Value) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "null"
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoredValueError(column: column, value: String(text.prefix(100)))
        }
    }
}

extension SealedCredentials {
    init(row: some StoredRow) throws {
        self.init(
            provider: try row.string("provider"), sealed: try row.string("sealed"),
            models: try StoredJSON.decode([String].self, try row.string("models"), column: "models"), updatedAt: try row.date("updated_at")
        )
    }
}

extension DefaultModel {
    init?(row: some StoredRow) throws {
        guard let type = ModelType(rawValue: try row.string("model_type")) else { return nil }
        self.init(type: type, provider: try row.string("provider"), model: try row.string("model"))
    }
}

extension Conversation {
    init(row: some StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.identifier("app_id"),
            endUser: try row.string("end_user"), name: try row.string("name"),
            inputs: try StoredJSON.decode([String: JSONValue].self, try row.string("inputs"), column: "inputs"),
            introduction: try row.string("introduction"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}

extension ChatMessage {
    init(row: some StoredRow) throws {
        let feedback = try row.optionalString("feedback_rating").flatMap(Feedback.Rating.init).map {
            Feedback(rating: $0, content: try row.optionalString("feedback_content"))
        }
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.identifier("app_id"),
            conversationID: try row.optionalIdentifier("conversation_id"), endUser: try row.string("end_user"),
            taskID: try row.string("task_id"),
            inputs: try StoredJSON.decode([String: JSONValue].self, try row.string("inputs"), column: "inputs"),
            query: try row.string("query"), answer: try row.string("answer"),
            status: Status(rawValue: try row.string("status")) ?? .normal, error: try row.optionalString("error"),
            provider: try row.string("provider"), model: try row.string("model"),
            usage: try row.optionalString("usage").map { try StoredJSON.decode(MessageUsage.self, $0, column: "usage") },
            files: try StoredJSON.decode([JSONValue].self, try row.string("files"), column: "files"),
            retrieverResources: try StoredJSON.decode([RetrieverResource].self, try row.string("retriever_resources"), column: "retriever_resources"),
            feedback: feedback,
            createdAt: try row.date("created_at")
        )
    }

    /// Columns in insert order, with `storedValues`.
    static let columns = [
        "id", "workspace_id", "app_id", "conversation_id", "end_user", "task_id", "inputs", "query", "answer", "status", "error",
        "provider", "model", "usage", "total_tokens", "files", "retriever_resources", "created_at", "updated_at",
    ]
}

extension ConversationOrder {
    /// The comparison that finds rows after a cursor in this order, for `column op cursor`.
    var after: String { isDescending ? "<" : ">" }
    var direction: String { isDescending ? "DESC" : "ASC" }
}

extension UploadedFile {
    init(row: some StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.optionalIdentifier("app_id"),
            endUser: try row.string("end_user"), name: try row.string("name"), size: try row.int("size"),
            fileExtension: try row.string("extension"), mimeType: try row.string("mime_type"), createdAt: try row.date("created_at")
        )
    }
}
