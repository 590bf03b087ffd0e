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

    public var isImage: Bool { FileKind.of(extension: fileExtension)?.category == .image }
}

/// Storage of uploaded files' records (their bytes live in the data directory).
public protocol FileStore: Sendable {
    /// Records the file if the workspace's uploads stay within `limit` bytes with it (0: unlimited); `false` otherwise.
    func insert(_ file: UploadedFile, limit: Int) async throws -> Bool
    func file(_ id: FileID, in workspace: WorkspaceID) async throws -> UploadedFile?
    /// Bytes of every file the workspace uploaded.
    func storageUsed(by workspace: WorkspaceID) async throws -> Int
}
