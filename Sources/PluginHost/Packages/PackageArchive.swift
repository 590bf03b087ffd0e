import Core
import Foundation
import ZIPFoundation

/// `.difypkg` files: zip archives, unpacked with care (no path outside the folder, no links, bounded size whatever the
/// headers claim) and packed deterministically (so a folder always gives the same bytes and identifier).
enum PackageArchive {
    static let maximumEntries = 10_000
    static let maximumUnpackedSize = 512 << 20
    /// Folders and files a packed folder leaves out: build and runtime leftovers.
    static let skipped: Set = [".git", "__pycache__", ".venv", ".DS_Store"]

    /// Unpacks `data` into `destination`, which must not exist yet.
    static func unpack(_ data: Data, into destination: URL) throws(RelayError) {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw .packageInvalid([PackageProblem("package", "", "is not a zip file (a .difypkg is one)")])
        }
        var entries: [Entry] = []
        for entry in archive {
            guard entries.count < maximumEntries else {
                throw .packageInvalid([PackageProblem("package", "", "has more than \(maximumEntries) entries")])
            }
            entries.append(entry)
        }
        var written = 0
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            for entry in entries {
                let path = try safePath(entry.path)
                let target = destination.appendingPathComponent(path)
                switch entry.type {
                case .symlink:
                    throw RelayError.packageInvalid([PackageProblem(entry.path, "", "is a symbolic link; packages may not hold links")])
                case .directory:
                    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                case .file:
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    guard FileManager.default.createFile(atPath: target.path, contents: nil) else {
                        throw RelayError.packageInvalid([PackageProblem(entry.path, "", "cannot be unpacked (a duplicate entry?)")])
                    }
                    let handle = try FileHandle(forWritingTo: target)
                    defer { try? handle.close() }
                    _ = try archive.extract(entry) { chunk in
                        written += chunk.count
                        if written > maximumUnpackedSize { throw TooLarge() }
                        try handle.write(contentsOf: chunk)
                    }
                    let mode = (entry.fileAttributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o644
                    try FileManager.default.setAttributes([.posixPermissions: mode & 0o111 != 0 ? 0o755 : 0o644], ofItemAtPath: target.path)
                }
            }
        } catch let error as RelayError {
            try? FileManager.default.removeItem(at: destination)
            throw error
        } catch is TooLarge {
            try? FileManager.default.removeItem(at: destination)
            throw .packageInvalid([PackageProblem("package", "", "unpacks to more than \(maximumUnpackedSize >> 20) MiB")])
        } catch {
            try? FileManager.default.removeItem(at: destination)
            throw .packageInvalid([PackageProblem("package", "", "cannot be unpacked: \(error)")])
        }
    }

    private struct TooLarge: Error {}

    /// The entry's path if it stays inside the package folder.
    private static func safePath(_ path: String) throws(RelayError) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"), !parts.isEmpty,
            !parts.contains(where: { $0 == ".." || $0 == "." })
        else {
            throw .packageInvalid([PackageProblem(path, "", "is a path outside the package; entries must be relative, without '..'")])
        }
        return parts.joined(separator: "/")
    }

    /// Packs `folder` into a `.difypkg`: entries sorted, one fixed date, only the executable bit kept.
    static func pack(_ folder: URL) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        let fixedDate = Date(timeIntervalSince1970: 1_577_836_800)
        for path in try files(in: folder) {
            let url = folder.appendingPathComponent(path)
            let contents = try Data(contentsOf: url)
            let executable = FileManager.default.isExecutableFile(atPath: url.path)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(contents.count), modificationDate: fixedDate,
                permissions: executable ? 0o755 : 0o644, compressionMethod: .deflate
            ) { position, size in
                contents.subdata(in: Data.Index(position)..<Data.Index(position) + size)
            }
        }
        return archive.data ?? Data()
    }

    private static func files(in folder: URL, prefix: String = "") throws -> [String] {
        var found: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where !skipped.contains(name) {
            let url = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            let values = try url.resourceValues(forKeys: [.isSymbolicLinkKey])
            if values.isSymbolicLink == true { continue }
            if isDirectory.boolValue {
                found += try files(in: url, prefix: prefix + name + "/")
            } else {
                found.append(prefix + name)
            }
        }
        return found
    }
}
