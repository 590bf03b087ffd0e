/// Token counts for splitting and reporting, without a model's vocabulary at hand.
///
/// Text is cut the way GPT-2's pre-tokenizer cuts it (runs of letters with one leading space, runs of digits, runs of
/// other symbols, runs of white space) and each piece is counted the way byte-pair encoding treats it on ordinary
/// text: a word of up to 6 letters is one token and each further 6 letters one more, digits go in threes, every
/// symbol is a token, a run of white space is one, and each character of a script without spaces between words (CJK,
/// Thai…) is one. On English prose this lands within a few per cent of GPT-2's real count (Dify counts with GPT-2's
/// tokenizer), which is what splitting to a token budget needs; it is an estimate, not the exact count of any one model.
public enum TokenCount {
    public static func of(_ text: Substring) -> Int {
        var tokens = 0
        var run: Run = .none
        var length = 0
        var spaceOnly = true
        func close() {
            switch run {
            case .none: break
            case .letters: tokens += 1 + (length - 1) / 6
            case .digits: tokens += (length + 2) / 3
            case .space: tokens += 1
            }
            run = .none
            length = 0
        }
        func extend(_ kind: Run, by count: Int) {
            if run != kind {
                // One plain space before a word belongs to the word and costs no token of its own.
                let joinsWord = kind == .letters && run == .space && length == 1 && spaceOnly
                if joinsWord {
                    run = .none
                    length = 0
                } else {
                    close()
                }
                run = kind
                spaceOnly = true
            }
            length += count
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (0x61...0x7a).contains(value) || (0x41...0x5a).contains(value) {
                extend(.letters, by: 1)
            } else if (0x30...0x39).contains(value) {
                extend(.digits, by: 1)
            } else if scalar.properties.isWhitespace {
                extend(.space, by: 1)
                if value != 0x20 { spaceOnly = false }
            } else if value < 0x80 || isUnspacedScript(value) || !scalar.properties.isAlphabetic {
                close()
                tokens += 1
            } else {
                // Accented and other alphabetic letters: part of a word, though costlier in bytes.
                extend(.letters, by: 2)
            }
        }
        close()
        return tokens
    }

    public static func of(_ text: String) -> Int { of(text[...]) }

    private enum Run: Equatable {
        case none, letters, digits, space
    }

    /// Scripts written without spaces between words: each character is (at least) a token of its own.
    private static func isUnspacedScript(_ value: UInt32) -> Bool {
        (0x0E00...0x0EFF).contains(value)  // Thai, Lao
            || (0x1100...0x11FF).contains(value) || (0x3040...0x30FF).contains(value) || (0x3130...0x318F).contains(value)
            || (0x3400...0x4DBF).contains(value) || (0x4E00...0x9FFF).contains(value) || (0xAC00...0xD7AF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x20000...0x2FA1F).contains(value)
    }
}
