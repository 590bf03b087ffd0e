/// What may be uploaded: the seed's file types by extension, each with its size limit and what its content must look
/// like, so that a renamed executable is not accepted as a picture.
public struct FileKind: Sendable, Equatable {
    /// Dify's file types, as messages and inputs name them.
    public enum Category: String, Sendable {
        case image, document, audio, video
    }

    public enum Signature: Sendable, Equatable {
        /// The content starts with one of these byte strings (at an offset).
        case magic([(offset: Int, bytes: [UInt8])])
        /// A ZIP container (docx, xlsx).
        case zip
        /// An OLE compound file (doc, xls).
        case ole
        /// UTF-8 text without NUL bytes.
        case text

        public static func == (lhs: Signature, rhs: Signature) -> Bool {
            switch (lhs, rhs) {
            case (.zip, .zip), (.ole, .ole), (.text, .text): true
            case (.magic(let a), .magic(let b)): a.elementsEqual(b) { $0.offset == $1.offset && $0.bytes == $1.bytes }
            default: false
            }
        }
    }

    public let category: Category
    public let mimeType: String
    public let signature: Signature

    public static let imageLimit = 15 << 20
    public static let documentLimit = 100 << 20
    /// Dify's limits for audio and video.
    public static let audioLimit = 50 << 20
    public static let videoLimit = 100 << 20

    public var maxSize: Int {
        switch category {
        case .image: Self.imageLimit
        case .document: Self.documentLimit
        case .audio: Self.audioLimit
        case .video: Self.videoLimit
        }
    }

    /// How an error names files of this kind: "Images", "Documents", …
    public var plural: String {
        switch category {
        case .image: "Images"
        case .document: "Documents"
        case .audio: "Audio files"
        case .video: "Videos"
        }
    }

    /// The kind of a file by its extension (case-insensitive), or `nil` when it may not be uploaded.
    public static func of(extension ext: String) -> FileKind? {
        table[ext.lowercased()]
    }

    public static var acceptedExtensions: [String] { table.keys.sorted() }

    /// Whether the first bytes of a file (at least `sniffLength`, or all of a smaller file) look like this kind.
    public func matches(_ head: [UInt8]) -> Bool {
        switch signature {
        case .magic(let options):
            return options.contains { option in
                head.count >= option.offset + option.bytes.count
                    && Array(head[option.offset..<option.offset + option.bytes.count]) == option.bytes
            }
        case .zip: return head.starts(with: [0x50, 0x4B, 0x03, 0x04])
        case .ole: return head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        case .text:
            guard !head.contains(0) else { return false }
            // A multi-byte character may be cut at the end of the sample.
            for cut in 0...min(3, head.count) where String(validating: head.dropLast(cut), as: UTF8.self) != nil { return true }
            return false
        }
    }

    public static let sniffLength = 4096

    private static let text = FileKind(category: .document, mimeType: "text/plain", signature: .text)
    /// MPEG audio: an ID3 tag, or a frame's sync word.
    private static let mpegAudio = Signature.magic([(0, Array("ID3".utf8)), (0, [0xFF, 0xFB]), (0, [0xFF, 0xF3]), (0, [0xFF, 0xF2])])

    private static let table: [String: FileKind] = {
        var table: [String: FileKind] = [
            "png": FileKind(category: .image, mimeType: "image/png", signature: .magic([(0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])])),
            "jpg": FileKind(category: .image, mimeType: "image/jpeg", signature: .magic([(0, [0xFF, 0xD8, 0xFF])])),
            "jpeg": FileKind(category: .image, mimeType: "image/jpeg", signature: .magic([(0, [0xFF, 0xD8, 0xFF])])),
            "gif": FileKind(category: .image, mimeType: "image/gif", signature: .magic([(0, Array("GIF87a".utf8)), (0, Array("GIF89a".utf8))])),
            "webp": FileKind(category: .image, mimeType: "image/webp", signature: .magic([(8, Array("WEBP".utf8))])),
            "pdf": FileKind(category: .document, mimeType: "application/pdf", signature: .magic([(0, Array("%PDF-".utf8))])),
            "docx": FileKind(
                category: .document, mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", signature: .zip
            ),
            "xlsx": FileKind(category: .document, mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", signature: .zip),
            "doc": FileKind(category: .document, mimeType: "application/msword", signature: .ole),
            "xls": FileKind(category: .document, mimeType: "application/vnd.ms-excel", signature: .ole),
            "md": FileKind(category: .document, mimeType: "text/markdown", signature: .text),
            "markdown": FileKind(category: .document, mimeType: "text/markdown", signature: .text),
            "csv": FileKind(category: .document, mimeType: "text/csv", signature: .text),
            "json": FileKind(category: .document, mimeType: "application/json", signature: .text),
            "xml": FileKind(category: .document, mimeType: "application/xml", signature: .text),
            "html": FileKind(category: .document, mimeType: "text/html", signature: .text),
            "htm": FileKind(category: .document, mimeType: "text/html", signature: .text),
            "vtt": FileKind(category: .document, mimeType: "text/vtt", signature: .text),
            "mdx": FileKind(category: .document, mimeType: "text/markdown", signature: .text),
            "properties": FileKind(category: .document, mimeType: "text/plain", signature: .text),
            "mp3": FileKind(category: .audio, mimeType: "audio/mpeg", signature: mpegAudio),
            "mpga": FileKind(category: .audio, mimeType: "audio/mpeg", signature: mpegAudio),
            "m4a": FileKind(category: .audio, mimeType: "audio/mp4", signature: .magic([(4, Array("ftyp".utf8))])),
            "wav": FileKind(category: .audio, mimeType: "audio/wav", signature: .magic([(8, Array("WAVE".utf8))])),
            "amr": FileKind(category: .audio, mimeType: "audio/amr", signature: .magic([(0, Array("#!AMR".utf8))])),
            "mp4": FileKind(category: .video, mimeType: "video/mp4", signature: .magic([(4, Array("ftyp".utf8))])),
            "mov": FileKind(
                category: .video, mimeType: "video/quicktime",
                signature: .magic([(4, Array("ftyp".utf8)), (4, Array("moov".utf8)), (4, Array("wide".utf8))])),
            "mpeg": FileKind(
                category: .video, mimeType: "video/mpeg", signature: .magic([(0, [0x00, 0x00, 0x01, 0xBA]), (0, [0x00, 0x00, 0x01, 0xB3])])),
            "webm": FileKind(category: .video, mimeType: "video/webm", signature: .magic([(0, [0x1A, 0x45, 0xDF, 0xA3])])),
        ]
        let code = [
            "txt", "py", "js", "ts", "java", "c", "h", "cpp", "hpp", "cs", "go", "rs", "rb", "php", "swift", "kt", "sh", "sql", "yaml", "yml", "toml",
        ]
        for ext in code { table[ext] = text }
        return table
    }()
}
