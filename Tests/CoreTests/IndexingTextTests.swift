import Foundation
import Testing

@testable import Core

@Suite("Indexing: tokens, cleaning, splitting, vectors")
struct IndexingTextTests {
    @Test("token counts follow GPT-2's pre-tokenizer: short words one token, long ones more, digits in threes, CJK per character")
    func tokenCounts() {
        #expect(TokenCount.of("") == 0)
        #expect(TokenCount.of("hello") == 1)
        #expect(TokenCount.of("hello world") == 2)
        #expect(TokenCount.of("internationalization") == 4)
        #expect(TokenCount.of("12345") == 2)
        #expect(TokenCount.of("a, b.") == 4)
        #expect(TokenCount.of("你好世界") == 4)
        #expect(TokenCount.of("line\n\nnext") == 3)
        // Ordinary English lands near GPT-2's 1.3 tokens a word.
        let prose = "The quick brown fox jumps over the lazy dog while the farmer watches from his porch."
        let words = prose.split(separator: " ").count
        #expect((words...(words * 2)).contains(TokenCount.of(prose)), "\(TokenCount.of(prose)) tokens for \(words) words")
    }

    @Test("cleaning drops control characters always, extra spaces and URLs or e-mails when asked")
    func cleaning() {
        let both = ProcessRule(
            mode: .custom,
            rules: .init(
                cleaning: [.init(id: "remove_extra_spaces", enabled: true), .init(id: "remove_urls_emails", enabled: true)],
                segmentation: .init(separator: "\n\n", maxTokens: 100, chunkOverlap: 0)
            )
        )
        #expect(TextCleaning.clean("a\u{0}b\u{7}c <|end|>", rule: both) == "abc <end>")
        #expect(TextCleaning.clean("one   two\t\tthree\n\n\n\nfour", rule: both) == "one two three\n\nfour")
        #expect(TextCleaning.clean("mail ops@example.com or visit https://x.io/a?b=1 now", rule: both) == "mail or visit now")
        let none = ProcessRule(mode: .custom, rules: .init(cleaning: [], segmentation: both.rules.segmentation))
        #expect(TextCleaning.clean("keep   https://x.io", rule: none) == "keep   https://x.io")
    }

    @Test("splitting stays within the budget, overlaps neighbours, keeps every word, and a fixed separator makes its own pieces")
    func splitting() {
        let words = (1...600).map { "w\($0)" }
        let text = stride(from: 0, to: words.count, by: 4).map { words[$0..<min($0 + 4, words.count)].joined(separator: " ") + "." }
            .joined(separator: " ")
        let automatic = TextSplitting(
            ProcessRule(mode: .automatic, rules: .init(cleaning: [], segmentation: .init(separator: "\n\n", maxTokens: 60, chunkOverlap: 10))))
        let chunks = automatic.split(text)
        #expect(chunks.count > 5)
        #expect(chunks.allSatisfy { TokenCount.of($0) <= 60 }, "\(chunks.map { TokenCount.of($0) })")
        let seen = Set(chunks.flatMap { $0.split { $0 == " " || $0 == "." }.map(String.init) })
        #expect(words.allSatisfy(seen.contains))
        // Neighbours share words.
        for (left, right) in zip(chunks, chunks.dropFirst()) {
            #expect(!Set(left.split(separator: " ")).isDisjoint(with: right.split(separator: " ")), "\(left) | \(right)")
        }
        // An unbroken run far over the budget is cut into windows, every one within it, nothing lost.
        let blob = String(repeating: "QUJDRA", count: 200_000)
        let cut = automatic.split(blob)
        #expect(cut.allSatisfy { TokenCount.of($0) <= 60 } && cut.count < 30_000, "\(cut.count) pieces")
        #expect(cut.joined().count >= blob.count)
        let fixed = TextSplitting(
            ProcessRule(mode: .custom, rules: .init(cleaning: [], segmentation: .init(separator: "###", maxTokens: 100, chunkOverlap: 0))))
        #expect(fixed.split("a b###c d###  ###e") == ["a b", "c d", "e"])
        // A piece over the budget is cut further.
        let long = fixed.split(words.joined(separator: " ") + "###tail")
        #expect(long.count > 2 && long.last == "tail" && long.dropLast().allSatisfy { TokenCount.of($0) <= 100 })
    }

    @Test("the file's first bytes must match its extension")
    func sniffing() {
        #expect(DocumentFormat.pdf.matches(Data("%PDF-1.7".utf8)))
        #expect(!DocumentFormat.pdf.matches(Data("hello".utf8)))
        #expect(DocumentFormat.docx.matches(Data([0x50, 0x4b, 0x03, 0x04, 0])))
        #expect(DocumentFormat.text.matches(Data("héllo".utf8)))
        // A multi-byte character cut by the head still passes; invalid UTF-8 and NUL do not.
        #expect(DocumentFormat.text.matches(Data("ab€".utf8).dropLast()))
        #expect(!DocumentFormat.text.matches(Data([0x61, 0x00, 0x62])))
        #expect(!DocumentFormat.markdown.matches(Data([0xff, 0xfe, 0x41, 0x42, 0x43, 0x44])))
        #expect(DocumentFormat.of(extension: "HTM") == .html && DocumentFormat.of(extension: "exe") == nil)
    }

    @Test("exact nearest neighbours: the same as sorting every score, split across tasks or not")
    func nearest() async {
        var generator = SystemRandomNumberGenerator()
        let dimensions = 37
        let count = 30_000
        let matrix = (0..<count * dimensions).map { _ in Float.random(in: -1...1, using: &generator) }
        let query = VectorMath.normalized((0..<dimensions).map { _ in Float.random(in: -1...1, using: &generator) })
        let expected = (0..<count).map { row -> (Int, Float) in
            (row, zip(matrix[row * dimensions..<(row + 1) * dimensions], query).reduce(0) { $0 + $1.0 * $1.1 })
        }.sorted { $0.1 > $1.1 }.prefix(10).map(\.0)
        let single = VectorMath.nearest(query, in: matrix, dimensions: dimensions, rows: 0..<count, k: 10).map(\.row)
        let split = await VectorMath.nearest(query, in: matrix, dimensions: dimensions, count: count, k: 10, parts: 2).map(\.row)
        #expect(single == Array(expected))
        #expect(split == Array(expected))
        #expect(VectorMath.nearest(query, in: matrix, dimensions: dimensions, rows: 0..<count, k: 0).isEmpty)
        #expect(
            VectorMath.nearest([1, 0], in: matrix, dimensions: dimensions, rows: 0..<count, k: 3).isEmpty, "a query of another size finds nothing")
        let unit = VectorMath.normalized([3, 4])
        #expect(abs(unit[0] - 0.6) < 1e-6 && abs(unit[1] - 0.8) < 1e-6)
        #expect(VectorMath.normalized([0, 0]) == [0, 0])
    }

    @Test("stored vectors read back as written")
    func storedVectors() {
        let vector: [Float] = [0, -1.5, .pi, 1e-30, 3.4e38]
        #expect(StoredVector.decode(StoredVector.encode(vector)) == vector)
        #expect(StoredVector.encode(vector).count == 20)
    }
}
