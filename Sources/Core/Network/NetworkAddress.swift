public import Foundation
public import NIOCore
import NIOPosix
import Synchronization

/// What kind of place an address is, for deciding whether Relay may be asked to connect there on a client's behalf.
public enum AddressReach: Sendable, Equatable {
    /// Anywhere on the internet.
    case `public`
    /// This host, the operator's networks (RFC 1918, unique-local, carrier-grade NAT), and addresses nothing should call.
    case `private`
    /// Link-local addresses, where clouds serve instance metadata and credentials (169.254.169.254 and its kin).
    /// Never reachable on a client's behalf, whatever the operator allows.
    case linkLocal

    /// How far `address` reaches.
    public static func of(_ address: SocketAddress) -> AddressReach {
        switch address {
        case .v4(let v4):
            return of(v4: withUnsafeBytes(of: v4.address.sin_addr.s_addr) { Array($0) })
        case .v6(let v6):
            return of(v6: withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        case .unixDomainSocket:
            return .private
        }
    }

    /// Four bytes in network order.
    static func of(v4 b: [UInt8]) -> AddressReach {
        switch (b[0], b[1]) {
        case (169, 254): return .linkLocal  // link-local: AWS, GCP, Azure, ECS metadata
        case (100, 100) where b[2] == 100 && b[3] == 200: return .linkLocal  // Alibaba Cloud's metadata service
        case (0, _), (10, _), (127, _): return .private
        case (100, 64...127): return .private  // carrier-grade NAT
        case (172, 16...31): return .private
        case (192, 168): return .private
        case (192, 0) where b[2] == 0: return .private  // IETF protocol assignments (192.0.0.192: Oracle's metadata)
        case (198, 18...19): return .private  // benchmarking
        case (224...255, _): return .private  // multicast, reserved, broadcast
        default: return .public
        }
    }

    /// Sixteen bytes in network order.
    static func of(v6 b: [UInt8]) -> AddressReach {
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return of(v4: Array(b[12..<16])) }
        if b[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return of(v4: Array(b[12..<16])) }
        if b[0..<12].allSatisfy({ $0 == 0 }) {
            return b[12..<16].allSatisfy({ $0 == 0 }) || b[12..<15].allSatisfy({ $0 == 0 }) ? .private : of(v4: Array(b[12..<16]))
        }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return .linkLocal }  // fe80::/10
        if b[0..<4] == [0xFD, 0x00, 0x0E, 0xC2] { return .linkLocal }  // fd00:ec2::/32, AWS's IPv6 metadata service
        if b[0] & 0xFE == 0xFC { return .private }  // fc00::/7 unique local
        if b[0] == 0xFF { return .private }  // multicast
        return .public
    }

    /// Every address `host` (a name or a literal, IPv6 possibly in brackets) resolves to; throws when it resolves to
    /// none. Resolution blocks, so it runs on NIO's thread pool.
    public static func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        let trimmed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = try? SocketAddress(ipAddress: trimmed, port: port) { return [literal] }
        let addresses = try await NIOThreadPool.singleton.runIfActive { try lookUp(trimmed, port: port) }
        guard !addresses.isEmpty else { throw CocoaError(.fileReadUnknown) }
        return addresses
    }

    private static func lookUp(_ host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw CocoaError(.fileReadUnknown) }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch Int32(entry.pointee.ai_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { addresses.append(SocketAddress($0.pointee, host: host)) }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { addresses.append(SocketAddress($0.pointee, host: host)) }
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}

/// Which destinations a feature may connect to on a client's behalf: public ones, private ones only when the operator
/// allows them, link-local (metadata) ones never. Every address a name resolves to must pass.
///
/// Names are resolved when checked; one that resolves differently between the check and the connection (DNS
/// rebinding) is not caught here.
public struct DestinationPolicy: Sendable {
    public var allowsPrivate: Bool

    public init(allowsPrivate: Bool) {
        self.allowsPrivate = allowsPrivate
    }

    /// Whether an address of this reach may be connected to.
    public func permits(_ reach: AddressReach) -> Bool {
        switch reach {
        case .public: true
        case .private: allowsPrivate
        case .linkLocal: false
        }
    }

    /// Throws `invalid_param` on `field` unless every address `host` resolves to is permitted.
    public func check(host: String, port: Int, field: String) async throws {
        let addresses: [SocketAddress]
        do {
            addresses = try await AddressReach.resolve(host: host, port: port)
        } catch {
            throw RelayError.invalidParam(field, "\(field): the host \(host) could not be resolved")
        }
        let reaches = addresses.map(AddressReach.of)
        if reaches.contains(.linkLocal) {
            throw RelayError.invalidParam(field, "\(field) points to a link-local or cloud metadata address, which is never allowed")
        }
        guard reaches.allSatisfy(permits) else {
            throw RelayError.invalidParam(field, "\(field) points to a private or loopback address, which is not allowed")
        }
    }

    /// The same for a URL's host and port.
    public func check(_ url: URL, field: String) async throws {
        guard let host = url.host, !host.isEmpty else { throw RelayError.invalidParam(field, "\(field) must name a host") }
        try await check(host: host, port: url.port ?? (url.scheme == "https" ? 443 : 80), field: field)
    }
}

/// A `DestinationPolicy` applied before every upstream request, remembering for a short while what a host name
/// resolved to, so that a busy provider costs one lookup per half minute rather than one per request.
final class CheckedDestinations: Sendable {
    let policy: DestinationPolicy
    private let permitted = Mutex<[String: ContinuousClock.Instant]>([:])
    static let memory: Duration = .seconds(30)

    init(_ policy: DestinationPolicy) {
        self.policy = policy
    }

    /// Throws `invalid_param` on `credentials` unless the URL's host may be reached.
    func check(_ url: String) async throws {
        guard let parsed = URL(string: url), let host = parsed.host, !host.isEmpty else {
            throw RelayError.invalidParam("credentials", "The provider's endpoint is not a URL with a host")
        }
        let port = parsed.port ?? (parsed.scheme == "https" ? 443 : 80)
        let key = "\(host):\(port)"
        let now = ContinuousClock.now
        if let until = permitted.withLock({ $0[key] }), until > now { return }
        try await policy.check(host: host, port: port, field: "credentials")
        permitted.withLock { entries in
            if entries.count > 1_024 { entries.removeAll() }
            entries[key] = now + Self.memory
        }
    }
}
