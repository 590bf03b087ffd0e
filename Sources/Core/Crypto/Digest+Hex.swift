public import Crypto
import Foundation

extension Digest {
    /// Lower-case hex, as digests are stored and shown.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}
