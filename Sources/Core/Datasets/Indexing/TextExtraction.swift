import Foundation
import SwiftCSV

/// The parsing step: a document's source bytes to plain text.
struct TextExtraction: Sendable {
    let converter: (any DocumentConverter)?

    func text(of source: DocumentSource) async throws -> String {
        guard let format = DocumentFormat(rawValue: source.docType) ?? DocumentFormat.of(extension: source.docType) else {
            // create-by-text: the text as given.
            return String(decoding: source.content, as: UTF8.self)
        }
        if format.isBinary {
            guard let converter else { throw RelayError.invalidParam("file", "This server cannot read .\(format.rawValue) files") }
            return try await converter.text(of: source.content, format: format)
        }
        guard let text = String(validating: source.content, as: UTF8.self) else {
            throw RelayError.invalidParam("file", "The file is not UTF-8 text")
        }
        switch format {
        case .html: return Self.htmlText(text)
        case .csv: return try Self.csvText(text)
        case .json: return try Self.jsonText(text)
        default: return text
        }
    }

    /// Visible text of an HTML page: scripts, styles, comments and tags gone, block ends as line breaks, entities decoded.
    static func htmlText(_ html: String) -> String {
        var text = html.replacing(/(?is)<(script|style|noscript|template|head)\b.*?<\/\1\s*>/, with: " ")
            .replacing(/(?s)<!--.*?-->/, with: " ")
            .replacing(/(?i)<br\s*\/?>/, with: "\n")
            .replacing(/(?i)<\/(p|div|h[1-6]|li|tr|section|article|blockquote|pre|table|ul|ol)\s*>/, with: "\n\n")
            .replacing(/<[^>]*>/, with: "")
        let entities = ["&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&apos;": "'"]
        for (entity, character) in entities { text = text.replacing(entity, with: character) }
        text = text.replacing(/&#(x?)([0-9a-fA-F]+);/) { match in
            let value = UInt32(match.output.2, radix: match.output.1.isEmpty ? 10 : 16)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? ""
        }
        text = text.replacing("&amp;", with: "&")
        return text.replacing(/[ \t]+\n/, with: "\n").replacing(/\n{3,}/, with: "\n\n")
    }

    /// Each row as a paragraph of `column: value` pairs (Dify's CSV reading), so that a row stays whole in a segment.
    static func csvText(_ csv: String) throws -> String {
        let table: CSV<Named>
        do {
            table = try CSV<Named>(string: csv, loadColumns: false)
        } catch {
            throw RelayError.invalidParam("file", "The CSV file cannot be read: \(error)")
        }
        let header = table.header
        return table.rows.map { row in
            header.map { "\($0): \(row[$0] ?? "")" }.joined(separator: "; ")
        }.joined(separator: "\n\n")
    }

    /// JSON as indented text with sorted keys.
    static func jsonText(_ json: String) throws -> String {
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw RelayError.invalidParam("file", "The JSON file is not valid JSON")
        }
    }
}
