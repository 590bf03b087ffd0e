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
    ///
    /// On every Public API request: hex is built by table, as `String(format:)` per byte cost more than the hash.
    public static func hash(_ secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
