import Foundation

/// The splitting step: text cut into pieces of at most `max_tokens`, neighbours sharing about `chunk_overlap` tokens.
///
/// Automatic rules pack paragraphs, then lines, sentence ends, spaces and finally single characters into chunks up to
/// the budget (a recursive character splitter, as Dify and LangChain do it). A custom rule's separator is fixed, as in
/// Dify: every piece between two separators is a segment of its own, and only a piece over the budget is cut further,
/// by the recursive splitter.
public struct TextSplitting: Sendable {
    public let separator: String
    public let maxTokens: Int
    public let overlap: Int
    /// Whether the separator is a fixed one (a custom rule's).
    public let isFixed: Bool

    static let recursiveSeparators = ["\n\n", "\n", "。", ". ", " ", ""]

    public init(_ rule: ProcessRule) {
        self.init(rule.rules.segmentation, fixed: rule.mode != .automatic)
    }

    /// A splitter of one level's rule; parent-child levels cut at their separators as a custom rule does.
    public init(_ segmentation: ProcessRule.Segmentation, fixed: Bool) {
        separator = segmentation.separator
        maxTokens = segmentation.maxTokens
        overlap = segmentation.chunkOverlap
        isFixed = fixed
    }

    public func split(_ text: String) -> [String] {
        let chunks: [String]
        if isFixed {
            chunks = text.split(separator: separator, omittingEmptySubsequences: true).flatMap { piece in
                TokenCount.of(piece) <= maxTokens ? [String(piece)] : split(piece, separators: Self.recursiveSeparators[...])
            }
        } else {
            var separators = [separator]
            for next in Self.recursiveSeparators where !separators.contains(next) { separators.append(next) }
            chunks = split(text[...], separators: separators[...])
        }
        return chunks.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    private func split(_ text: Substring, separators: ArraySlice<String>) -> [String] {
        let index = separators.firstIndex { $0.isEmpty || text.contains($0) } ?? separators.endIndex - 1
        let separator = separators[index]
        let rest = separators[(index + 1)...]
        // The last resort cuts windows of `maxTokens` characters (no character counts more than one token), not single
        // characters: a long unbroken run (a base64 blob) would otherwise become millions of pieces.
        let pieces: [Substring] =
            separator.isEmpty ? Self.windows(of: text, size: maxTokens) : text.split(separator: separator, omittingEmptySubsequences: true)
        var chunks: [String] = []
        var fitting: [(text: Substring, tokens: Int)] = []
        for piece in pieces {
            let tokens = TokenCount.of(piece)
            if tokens <= maxTokens {
                fitting.append((piece, tokens))
            } else {
                chunks += pack(fitting, joinedBy: separator)
                fitting = []
                chunks += rest.isEmpty ? [String(piece)] : split(piece, separators: rest)
            }
        }
        chunks += pack(fitting, joinedBy: separator)
        return chunks
    }

    static func windows(of text: Substring, size: Int) -> [Substring] {
        var windows: [Substring] = []
        var start = text.startIndex
        while start < text.endIndex {
            let end = text.index(start, offsetBy: size, limitedBy: text.endIndex) ?? text.endIndex
            windows.append(text[start..<end])
            start = end
        }
        return windows
    }

    /// Packs consecutive pieces into chunks within the budget; each new chunk starts with the last pieces of the one
    /// before, up to `overlap` tokens.
    private func pack(_ pieces: [(text: Substring, tokens: Int)], joinedBy separator: String) -> [String] {
        let separatorTokens = separator.isEmpty ? 0 : TokenCount.of(separator)
        var chunks: [String] = []
        var window: [(text: Substring, tokens: Int)] = []
        var total = 0
        func cost(adding tokens: Int) -> Int { total + tokens + (window.isEmpty ? 0 : separatorTokens) }
        for piece in pieces {
            if cost(adding: piece.tokens) > maxTokens, !window.isEmpty {
                chunks.append(window.map(\.text).joined(separator: separator))
                while !window.isEmpty, total > overlap || cost(adding: piece.tokens) > maxTokens {
                    total -= window.removeFirst().tokens + (window.isEmpty ? 0 : separatorTokens)
                }
            }
            total = cost(adding: piece.tokens)
            window.append(piece)
        }
        if !window.isEmpty { chunks.append(window.map(\.text).joined(separator: separator)) }
        return chunks
    }
}
