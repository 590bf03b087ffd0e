import Foundation
import JWTKit

/// The header of a compact JWS (`header.payload.signature`), read before its signature is checked so that a token is
/// verified only by the key it names.
struct AccessTokenHeader: Decodable {
    let alg: String?
    let kid: String?

    /// Read on every console request: one decoder, made once.
    private static let decoder = JSONDecoder()

    /// `nil` when the token has no decodable header.
    init?(_ token: String) {
        guard let end = token.utf8.firstIndex(of: UInt8(ascii: ".")), let data = Self.base64URLDecoded(token[..<end]),
            let header = try? Self.decoder.decode(Self.self, from: data)
        else { return nil }
        self = header
    }

    /// Whether the header names this key and the algorithm Relay signs with.
    func names(_ key: JWKIdentifier) -> Bool {
        alg == "HS256" && kid == key.string
    }

    private static func base64URLDecoded(_ text: Substring) -> Data? {
        guard text.utf8.count <= 1_024 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
