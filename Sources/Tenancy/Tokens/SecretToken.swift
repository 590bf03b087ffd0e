import Crypto
import Foundation

/// Random secrets handed to clients (API keys, refresh and invitation tokens) and the only form we store of them.
public enum SecretToken {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// `count` characters from [A-Za-z0-9], drawn without bias from the system CSPRNG.
    public static func random(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// Hex SHA-256. Our secrets carry ≥ 143 bits of entropy, so a fast hash is safe where passwords need bcrypt.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
