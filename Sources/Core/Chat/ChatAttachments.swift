/// The files a query carries, as the model is given them: images for a vision model, documents' text after the query,
/// and every file as the message lists it (`message_files`).
public struct ChatAttachments: Sendable {
    public struct Document: Sendable, Equatable {
        public let name: String
        public let text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// `https:` or `data:` URLs.
    public var images: [String]
    public var documents: [Document]
    public var files: [JSONValue]

    public init(images: [String] = [], documents: [Document] = [], files: [JSONValue] = []) {
        self.images = images
        self.documents = documents
        self.files = files
    }

    /// Most characters of documents' text one message gives the model; the rest is cut, and said so.
    public static let maxDocumentText = 100_000

    /// The documents as the model reads them after the query: each in a `<file>` element, cut to the budget.
    var documentText: String {
        var budget = Self.maxDocumentText
        var parts: [String] = []
        for document in documents where budget > 0 {
            let text = document.text.count > budget ? String(document.text.prefix(budget)) + "\n[cut]" : document.text
            budget -= min(budget, document.text.count)
            parts.append("<file name=\"\(document.name)\">\n\(text)\n</file>")
        }
        return parts.joined(separator: "\n")
    }
}
