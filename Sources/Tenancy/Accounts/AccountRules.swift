import Core
import Foundation

/// The rules every account field obeys, wherever it is entered (setup, registration, activation).
enum AccountRules {
    /// Trimmed and lower-cased, so one mailbox is one account; throws `invalid_param` on `email` otherwise.
    static func email(_ raw: String) throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !email.contains(where: \.isWhitespace)
        else {
            throw RelayError.invalidParam("email", "'\(raw)' is not a valid e-mail address")
        }
        return email
    }

    static func name(_ raw: String) throws -> String {
        try TextRules.required(raw, field: "name", maxLength: 100)
    }

    /// At least 8 characters with a letter and a digit; at most 72 bytes, all of which bcrypt reads.
    static func password(_ password: String) throws -> String {
        guard password.count >= 8, password.contains(where: \.isLetter), password.contains(where: \.isNumber) else {
            throw RelayError.invalidParam(
                "password", "password must be at least 8 characters long and contain letters and digits", type: "weak"
            )
        }
        guard password.utf8.count <= 72 else {
            throw RelayError.invalidParam("password", "password must be at most 72 bytes long", type: "too_long")
        }
        return password
    }
}
