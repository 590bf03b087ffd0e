import Foundation

/// Rows of the conversation and message tables.
extension Conversation {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.identifier("app_id"),
            endUser: try row.string("end_user"), name: try row.string("name"),
            inputs: try StoredJSON.decode([String: JSONValue].self, try row.string("inputs"), column: "inputs"),
            introduction: try row.string("introduction"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}

extension ChatMessage {
    init(row: StoredRow) throws {
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
            retrieverResources: try StoredJSON.decode(
                [RetrieverResource].self, try row.string("retriever_resources"), column: "retriever_resources"
            ),
            feedback: feedback,
            annotationReply: try row.optionalString("annotation_reply").map {
                try StoredJSON.decode(AnnotationReply.self, $0, column: "annotation_reply")
            },
            adminFeedback: try row.optionalString("admin_feedback_rating").flatMap(Feedback.Rating.init).map {
                Feedback(rating: $0, content: try row.optionalString("admin_feedback_content"))
            },
            createdAt: try row.date("created_at")
        )
    }
}

extension ConversationOrder {
    /// The comparison that finds rows after a cursor in this order, for `column op cursor`.
    var after: String { isDescending ? "<" : ">" }
    var direction: String { isDescending ? "DESC" : "ASC" }
}
