import Crypto
public import Foundation

/// Encrypts provider credentials at rest with a key derived from the server's secret key (AES-256-GCM). The workspace
/// and provider are bound in as associated data, so sealed credentials copied to another row do not open.
public struct CredentialSealer: Sendable {
    private let key: SymmetricKey

    public init(secret: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data("relay provider credentials v1".utf8),
            outputByteCount: 32
        )
    }

    public func seal(_ credentials: [String: String], workspace: WorkspaceID, provider: String) throws -> String {
        let plain = try JSONEncoder().encode(credentials)
        let box = try AES.GCM.seal(plain, using: key, authenticating: Self.context(workspace, provider))
        guard let combined = box.combined else { throw RelayError.internalError(CocoaError(.coderInvalidValue)) }
        return combined.base64EncodedString()
    }

    /// The credentials, or a 400 `provider_not_initialize` when they cannot be opened (the secret key changed).
    public func open(_ sealed: String, workspace: WorkspaceID, provider: String) throws -> [String: String] {
        do {
            guard let data = Data(base64Encoded: sealed) else { throw CocoaError(.coderReadCorrupt) }
            let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key, authenticating: Self.context(workspace, provider))
            return try JSONDecoder().decode([String: String].self, from: plain)
        } catch {
            throw RelayError(
                .providerNotInitialize,
                "The stored \(provider) credentials cannot be read with this server's secret key; enter them again",
                underlying: error
            )
        }
    }

    private static func context(_ workspace: WorkspaceID, _ provider: String) -> Data {
        Data("\(workspace)/\(provider)".utf8)
    }
}
