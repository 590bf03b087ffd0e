/// The cleaning step: what every document loses (control characters, Dify's `<|` and `|>` markers), then the
/// process rule's optional rules.
public enum TextCleaning {
    /// Dify's horizontal spaces: tab, form feed, CR, space, the no-break and typographic spaces.
    static func isHorizontalSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x180E, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Each run of two or more horizontal spaces as one space.
    static func collapsingSpaceRuns(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var run = 0
        var pending: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if isHorizontalSpace(scalar) {
                run += 1
                if run == 1 { pending = scalar }
                continue
            }
            if run == 1, let pending { result.append(pending) } else if run > 1 { result.append(" ") }
            run = 0
            result.append(scalar)
        }
        if run == 1, let pending { result.append(pending) } else if run > 1 { result.append(" ") }
        return String(result)
    }

    public static func clean(_ text: String, rule: ProcessRule) -> String {
        var text = text.replacing(/<\|/, with: "<").replacing(/\|>/, with: ">")
        text.unicodeScalars.removeAll { scalar in
            let value = scalar.value
            return (value < 0x20 && value != 0x09 && value != 0x0a && value != 0x0d) || value == 0x7f || value == 0xfffe || value == 0xfeff
        }
        text = text.replacing("\r\n", with: "\n")
        // URLs and e-mails first, so that the spaces around what they leave are collapsed too.
        if rule.isEnabled("remove_urls_emails") {
            text = text.replacing(/[a-zA-Z0-9_.+\-]+@[a-zA-Z0-9\-]+\.[a-zA-Z0-9\-.]+/, with: "")
                .replacing(/https?:\/\/[^\s]+/, with: "")
        }
        if rule.isEnabled("remove_extra_spaces") {
            text = collapsingSpaceRuns(text.replacing(/\n{3,}/, with: "\n\n"))
        }
        return text
    }
}
