public import Foundation
public import NIOCore

/// Uploads of the Public API: checked by extension, size and content as they stream to the data directory, and
/// counted against the workspace's file storage.
public struct FileService: Sendable {
    let store: FileStore
    /// Where uploaded bytes live, one folder per workspace.
    let root: URL
    let now: @Sendable () -> Date

    public init(store: FileStore, root: URL, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.root = root
        self.now = now
    }

    /// Starts receiving a file called `name`; 415 `unsupported_file_type` when its extension is not accepted.
    public func beginUpload(name: String, workspace: WorkspaceID, app: AppID?) throws -> FileUpload {
        let name = String(name.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        let ext = (name as NSString).pathExtension.lowercased()
        guard !name.isEmpty else { throw RelayError(.noFileUploaded, "The file has no name") }
        guard let kind = FileKind.of(extension: ext) else {
            throw RelayError(
                .unsupportedFileType, "Files of type '.\(ext)' cannot be uploaded; accepted: \(FileKind.acceptedExtensions.joined(separator: ", "))"
            )
        }
        let directory = root.appendingPathComponent(workspace.description, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let id = FileID()
        return try FileUpload(
            file: UploadedFile(
                id: id, workspaceID: workspace, appID: app, endUser: "", name: name, size: 0, fileExtension: ext, mimeType: kind.mimeType,
                createdAt: now()
            ),
            kind: kind, destination: directory.appendingPathComponent(id.description), store: store
        )
    }

    /// An uploaded file of the workspace (and of `app`, when given); 404 otherwise.
    public func file(_ id: FileID, in workspace: WorkspaceID, app: AppID?) async throws -> UploadedFile {
        guard let file = try await store.file(id, in: workspace), app == nil || file.appID == app else {
            throw RelayError.notFound("Upload file \(id) not found")
        }
        return file
    }

    /// The file's bytes; 404 when they are not on this server's disk (instances sharing a database but not a data
    /// directory).
    public func contents(of file: UploadedFile) throws -> Data {
        do {
            return try Data(contentsOf: root.appendingPathComponent(file.workspaceID.description).appendingPathComponent(file.id.description))
        } catch {
            throw RelayError(.notFound, "The content of upload file \(file.id) is not available on this server", underlying: error)
        }
    }

    public func storageUsed(by workspace: WorkspaceID) async throws -> Int {
        try await store.storageUsed(by: workspace)
    }
}

/// One file arriving: written to a temporary file beside its destination, checked as it grows, then moved into place
/// and recorded; abandoned, it leaves nothing behind. Used by one task at a time.
public final class FileUpload {
    private var file: UploadedFile
    private let kind: FileKind
    private let destination: URL
    private let temporary: URL
    private let handle: FileHandle
    private let store: FileStore
    private var head: [UInt8] = []
    private var size = 0
    private var isClosed = false

    init(file: UploadedFile, kind: FileKind, destination: URL, store: FileStore) throws {
        self.file = file
        self.kind = kind
        self.destination = destination
        self.temporary = destination.appendingPathExtension("part")
        self.store = store
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw RelayError.internalError(CocoaError(.fileWriteUnknown))
        }
        self.handle = try FileHandle(forWritingTo: temporary)
    }

    deinit {
        if !isClosed { abandon() }
    }

    /// Appends bytes; 413 `file_too_large` past the kind's limit, 415 when the first bytes are not of its kind.
    public func write(_ buffer: ByteBuffer) throws {
        size += buffer.readableBytes
        guard size <= kind.maxSize else {
            throw RelayError(.fileTooLarge, "\(kind.plural) may be at most \(kind.maxSize >> 20) MB")
        }
        if head.count < FileKind.sniffLength {
            head += buffer.readableBytesView.prefix(FileKind.sniffLength - head.count)
            if head.count == FileKind.sniffLength { try checkContent() }
        }
        try handle.write(contentsOf: buffer.readableBytesView)
    }

    /// Moves the file into place and records it for `endUser`; 403 `forbidden` when it would pass the workspace's
    /// file storage (`storageLimit` bytes, 0 for none).
    public func finish(endUser: String, storageLimit: Int) async throws -> UploadedFile {
        if head.count < FileKind.sniffLength { try checkContent() }
        guard size > 0 else { throw RelayError(.noFileUploaded, "The file is empty") }
        try handle.close()
        isClosed = true
        do {
            try FileManager.default.moveItem(at: temporary, to: destination)
            let recorded = UploadedFile(
                id: file.id, workspaceID: file.workspaceID, appID: file.appID, endUser: endUser, name: file.name, size: size,
                fileExtension: file.fileExtension, mimeType: file.mimeType, createdAt: file.createdAt
            )
            guard try await store.insert(recorded, limit: storageLimit) else {
                throw RelayError(.forbidden, "This workspace has used its \(storageLimit >> 20) MB of file storage")
            }
            return recorded
        } catch {
            try? FileManager.default.removeItem(at: destination)
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    public func abandon() {
        if !isClosed { try? handle.close() }
        isClosed = true
        try? FileManager.default.removeItem(at: temporary)
    }

    private func checkContent() throws {
        guard kind.matches(head) else {
            throw RelayError(.unsupportedFileType, "The content of '\(file.name)' is not a .\(file.fileExtension) file")
        }
    }
}
