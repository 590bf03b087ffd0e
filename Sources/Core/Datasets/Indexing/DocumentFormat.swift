public import Foundation

/// The kinds of file a dataset accepts, by extension, each checked against what its bytes are.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case text = "txt"
    case markdown = "md"
    case html
    case csv
    case json
    case pdf
    case docx

    public static let maxSize = 100 << 20

    public static func of(extension ext: String) -> DocumentFormat? {
        switch ext.lowercased() {
        case "txt", "text": .text
        case "md", "markdown", "mdx": .markdown
        case "html", "htm": .html
        case "csv": .csv
        case "json": .json
        case "pdf": .pdf
        case "docx": .docx
        default: nil
        }
    }

    public static var acceptedExtensions: [String] { ["txt", "md", "markdown", "html", "htm", "csv", "json", "pdf", "docx"] }

    /// Whether the first bytes are what the extension promises: `%PDF-` for PDF, a ZIP header for docx, UTF-8 text
    /// without NUL bytes otherwise.
    public func matches(_ head: Data) -> Bool {
        switch self {
        case .pdf: return head.starts(with: Array("%PDF-".utf8))
        case .docx: return head.starts(with: [0x50, 0x4b, 0x03, 0x04])
        default:
            guard !head.contains(0) else { return false }
            // A multi-byte character may be cut at the end of the head.
            return (0...3).contains { String(validating: head.dropLast($0), as: UTF8.self) != nil }
        }
    }

    /// The media type a download of a document's source carries, by its `doc_type` (`text` for create-by-text).
    public static func mimeType(ofDocType docType: String) -> String {
        switch DocumentFormat.of(extension: docType) {
        case .text?, nil: "text/plain"
        case .markdown?: "text/markdown"
        case .html?: "text/html"
        case .csv?: "text/csv"
        case .json?: "application/json"
        case .pdf?: "application/pdf"
        case .docx?: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
    }

    /// The file name extension a download of a document's source gets.
    public static func fileExtension(ofDocType docType: String) -> String {
        DocumentFormat.of(extension: docType)?.rawValue ?? "txt"
    }

    /// Whether reading it needs a parser outside this process (see `DocumentConverter`).
    public var isBinary: Bool { self == .pdf || self == .docx }
}

/// Reads the formats that need more than a text decoder (PDF, docx); untrusted input, so an implementation runs its
/// parser in a sandbox. Gateway wires in PluginHost's.
public protocol DocumentConverter: Sendable {
    /// The document's text; throws a `RelayError` saying why when it cannot be read.
    func text(of content: Data, format: DocumentFormat) async throws -> String
}
