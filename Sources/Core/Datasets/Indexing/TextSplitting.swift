import Foundation

/// The splitting step: text cut into pieces of at most `max_tokens`, neighbours sharing about `chunk_overlap` tokens.
///
/// The rule's separator is tried first, then paragraphs, lines, sentence ends, spaces and finally single characters;
/// pieces are packed into chunks up to the budget (a recursive character splitter, as Dify and LangChain do it).
/// A piece longer than the budget is cut with the next separator down.
public struct TextSplitting: Sendable {
    public let separator: String
    public let maxTokens: Int
    public let overlap: Int

    public init(_ segmentation: ProcessRule.Segmentation) {
        separator = segmentation.separator
        maxTokens = segmentation.maxTokens
        overlap = segmentation.chunkOverlap
    }

    public func split(_ text: String) -> [String] {
        var separators = [separator]
        for next in ["\n\n", "\n", "。", ". ", " ", ""] where !separators.contains(next) { separators.append(next) }
        return split(text[...], separators: separators[...])
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    private func split(_ text: Substring, separators: ArraySlice<String>) -> [String] {
        let index = separators.firstIndex { $0.isEmpty || text.contains($0) } ?? separators.endIndex - 1
        let separator = separators[index]
        let rest = separators[(index + 1)...]
        let pieces: [Substring] = separator.isEmpty ? text.map { Substring(String($0)) } : text.split(separator: separator, omittingEmptySubsequences: true)
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
