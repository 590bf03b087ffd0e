public import Foundation

public typealias FileID = Identifier<UploadedFile>

/// A file an end user uploaded through the Public API, to send with messages.
public struct UploadedFile: Sendable, Equatable {
    public let id: FileID
    public let workspaceID: WorkspaceID
    public let appID: AppID?
    public let endUser: String
    public let name: String
    public let size: Int
    public let fileExtension: String
    public let mimeType: String
    public let createdAt: Date

    public init(
        id: FileID, workspaceID: WorkspaceID, appID: AppID?, endUser: String, name: String, size: Int, fileExtension: String,
        mimeType: String, createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.endUser = endUser
        self.name = name
        self.size = size
        self.fileExtension = fileExtension
        self.mimeType = mimeType
        self.createdAt = createdAt
    }

    public var isImage: Bool { category == .image }

    /// Dify's type of the file, by its extension.
    public var category: FileKind.Category { FileKind.of(extension: fileExtension)?.category ?? .document }
}

/// Storage of uploaded files' records (their bytes live in the data directory).
public struct FileStore: Sendable {
    let database: SQLDatabase

    /// Records the file if the workspace's uploads stay within `limit` bytes with it (0: unlimited); `false` otherwise.
    public func insert(_ file: UploadedFile, limit: Int) async throws -> Bool {
        try await database.write(.workspace(file.workspaceID)) { transaction in
            // Concurrent uploads of one workspace take turns, so together they cannot pass the limit.
            try await transaction.lockWorkspace(file.workspaceID)
            let used = try await Self.used(by: file.workspaceID, transaction)
            guard limit == 0 || used + file.size <= limit else { return false }
            try await transaction.execute(
                """
                INSERT INTO upload_file (id, workspace_id, app_id, end_user, name, size, extension, mime_type, created_at)
                VALUES (\(file.id), \(file.workspaceID), \(file.appID), \(file.endUser), \(file.name),
                \(file.size), \(file.fileExtension), \(file.mimeType), \(file.createdAt))
                """)
            return true
        }
    }

    public func file(_ id: FileID, in workspace: WorkspaceID) async throws -> UploadedFile? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM upload_file WHERE id = \(id) AND workspace_id = \(workspace)"
            ).first.map { try UploadedFile(row: $0) }
        }
    }

    /// Bytes of every file the workspace uploaded.
    public func storageUsed(by workspace: WorkspaceID) async throws -> Int {
        try await database.read(.workspace(workspace)) { transaction in try await Self.used(by: workspace, transaction) }
    }

    private static func used(by workspace: WorkspaceID, _ transaction: SQLTransaction) async throws -> Int {
        try await transaction.count("SELECT COALESCE(SUM(size), 0) AS n FROM upload_file WHERE workspace_id = \(workspace)")
    }
}

extension UploadedFile {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.optionalIdentifier("app_id"),
            endUser: try row.string("end_user"), name: try row.string("name"), size: try row.int("size"),
            fileExtension: try row.string("extension"), mimeType: try row.string("mime_type"), createdAt: try row.date("created_at")
        )
    }
}
