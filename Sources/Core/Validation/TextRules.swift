public import Foundation

/// Rules for free-text fields that every service applies the same way.
public enum TextRules {
    /// Trims surrounding white space and requires 1…`maxLength` characters (as people count them);
    /// otherwise 400 `invalid_param` naming `field`.
    public static func required(_ value: String, field: String, maxLength: Int) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw RelayError.invalidParam(field, "\(field) must not be empty", type: "required") }
        guard trimmed.count <= maxLength else {
            throw RelayError.invalidParam(field, "\(field) must be at most \(maxLength) characters", type: "too_long")
        }
        return trimmed
    }
}
