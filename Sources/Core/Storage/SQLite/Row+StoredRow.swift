import Foundation
import GRDB

extension Row: StoredRow {
    func string(_ column: String) throws -> String { self[column] }
    func optionalString(_ column: String) throws -> String? { self[column] }
    func double(_ column: String) throws -> Double { self[column] }
    func optionalDouble(_ column: String) throws -> Double? { self[column] }
    func int(_ column: String) throws -> Int { self[column] }
    func bool(_ column: String) throws -> Bool { self[column] }
    func optionalData(_ column: String) throws -> Data? { self[column] }
}

extension DatabaseError {
    var isUniqueViolation: Bool { extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY }
}

extension App {
    /// Values in the order of `AppColumns.names`.
    var storedArguments: StatementArguments {
        [
            id.description, workspaceID.description, name, mode.rawValue, icon, iconBackground, description, enableSite,
            enableAPI, apiRPM, apiRPH, isDemo, createdBy?.description, createdAt.storedValue, updatedAt.storedValue,
        ]
    }
}

extension ChatMessage {
    /// Values in the order of `ChatMessage.columns`.
    var storedValues: [(any DatabaseValueConvertible)?] {
        [
            id.description, workspaceID.description, appID.description, conversationID?.description, endUser, taskID,
            StoredJSON.encode(inputs), query, answer, status.rawValue, error, provider, model, usage.map(StoredJSON.encode),
            usage?.totalTokens ?? 0, StoredJSON.encode(files), StoredJSON.encode(retrieverResources), createdAt.storedValue, createdAt.storedValue,
        ]
    }
}
