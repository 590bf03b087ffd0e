import Core
import Foundation
import Tenancy

/// The server secret kept in the data directory, so tokens survive restarts without the operator managing a key.
enum SecretKeyFile {
    /// Reads the secret at `file`, creating it (mode 0600, 64 random characters) when it does not exist yet.
    static func loadOrCreate(at file: URL) throws -> String {
        let manager = FileManager.default
        if let data = manager.contents(atPath: file.path) {
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard secret.utf8.count >= 32 else {
                throw RelayError(.internalError, "The secret key in \(file.path) is shorter than 32 bytes; remove it to generate a new one")
            }
            return secret
        }
        let secret = SecretToken.random(count: 64)
        guard manager.createFile(atPath: file.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw RelayError(.internalError, "Could not write the secret key to \(file.path)")
        }
        return secret
    }
}
