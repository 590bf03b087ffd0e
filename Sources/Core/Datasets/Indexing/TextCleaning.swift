/// The cleaning step: what every document loses (control characters, Dify's `<|` and `|>` markers), then the
/// process rule's optional rules.
public enum TextCleaning {
    /// Two or more of Dify's horizontal spaces in a row (tab, form feed, CR, space, no-break and typographic spaces).
    nonisolated(unsafe) static let spaceRuns = try! Regex("[\t\u{0C}\r \u{A0}\u{1680}\u{180E}\u{2000}-\u{200A}\u{202F}\u{205F}\u{3000}]{2,}")

    public static func clean(_ text: String, rule: ProcessRule) -> String {
        var text = text.replacing(/<\|/, with: "<").replacing(/\|>/, with: ">")
        text.unicodeScalars.removeAll { scalar in
            let value = scalar.value
            return (value < 0x20 && value != 0x09 && value != 0x0a && value != 0x0d) || value == 0x7f || value == 0xfffe || value == 0xfeff
        }
        text = text.replacing("\r\n", with: "\n")
        if rule.isEnabled("remove_extra_spaces") {
            text = text.replacing(/\n{3,}/, with: "\n\n")
                .replacing(Self.spaceRuns, with: " ")
        }
        if rule.isEnabled("remove_urls_emails") {
            text = text.replacing(/[a-zA-Z0-9_.+\-]+@[a-zA-Z0-9\-]+\.[a-zA-Z0-9\-.]+/, with: "")
                .replacing(/https?:\/\/[^\s]+/, with: "")
        }
        return text
    }
}
