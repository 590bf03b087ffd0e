import Foundation

/// Rows of the model-provider tables (moved out of the former `StoredRow+Chat.swift`).
extension SealedCredentials {
    init(row: StoredRow) throws {
        self.init(
            provider: try row.string("provider"), sealed: try row.string("sealed"),
            models: try StoredJSON.decode([String].self, try row.string("models"), column: "models"), updatedAt: try row.date("updated_at")
        )
    }
}

extension DefaultModel {
    init?(row: StoredRow) throws {
        guard let type = ModelType(rawValue: try row.string("model_type")) else { return nil }
        self.init(type: type, provider: try row.string("provider"), model: try row.string("model"))
    }
}
