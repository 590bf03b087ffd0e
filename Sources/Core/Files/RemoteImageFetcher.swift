import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Fetches an image a message names by URL, refusing private, loopback and link-local targets (unless the operator
/// allows them) at every redirect, and anything too large or not an image.
///
/// Each host is resolved and checked before the request; a name that resolves differently between the check and the
/// request (DNS rebinding) is not caught here.
public struct RemoteImageFetcher: Sendable {
    let client: UpstreamClient
    let allowsPrivateNetworks: Bool

    public init(client: UpstreamClient, allowsPrivateNetworks: Bool) {
        self.client = client
        self.allowsPrivateNetworks = allowsPrivateNetworks
    }

    static let maxRedirects = 3

    /// The image's bytes and MIME type; `field` names the request field in errors.
    public func fetch(_ text: String, field: String) async throws -> (data: Data, mimeType: String) {
        var location = text
        for _ in 0...Self.maxRedirects {
            guard let url = URL(string: location), url.scheme == "http" || url.scheme == "https", let host = url.host, !host.isEmpty else {
                throw RelayError.invalidParam(field, "\(field) must be an http(s) URL")
            }
            if !allowsPrivateNetworks { try await Self.requirePublic(host: host, port: url.port ?? (url.scheme == "https" ? 443 : 80), field: field) }
            var request = HTTPClientRequest(url: location)
            request.headers.add(name: "Accept", value: "image/*")
            let response: HTTPClientResponse
            do {
                response = try await client.http.execute(request, timeout: .seconds(30))
            } catch {
                throw RelayError.invalidParam(field, "\(field) could not be fetched: \(UpstreamFailure.describe(error))")
            }
            switch response.status.code {
            case 200..<300:
                let body: ByteBuffer
                do {
                    body = try await response.body.collect(upTo: FileKind.imageLimit)
                } catch is NIOTooManyBytesError {
                    throw RelayError(.fileTooLarge, "Images may be at most \(FileKind.imageLimit >> 20) MB")
                }
                let bytes = Array(body.readableBytesView)
                guard
                    let kind = ["png", "jpg", "gif", "webp"].compactMap(FileKind.of(extension:)).first(where: { $0.matches(Array(bytes.prefix(64))) })
                else {
                    throw RelayError(.unsupportedFileType, "\(field) is not a png, jpeg, gif or webp image")
                }
                return (Data(bytes), kind.mimeType)
            case 301, 302, 303, 307, 308:
                guard let next = response.headers.first(name: "location"), let resolved = URL(string: next, relativeTo: URL(string: location))
                else {
                    throw RelayError.invalidParam(field, "\(field) redirected without a location")
                }
                location = resolved.absoluteString
            default:
                throw RelayError.invalidParam(field, "\(field) could not be fetched: HTTP \(response.status.code)")
            }
        }
        throw RelayError.invalidParam(field, "\(field) redirected more than \(Self.maxRedirects) times")
    }

    /// Throws unless every address `host` resolves to is a public one.
    static func requirePublic(host: String, port: Int, field: String) async throws {
        let addresses: [SocketAddress]
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive {
                try Self.resolve(host: host, port: port)
            }
        } catch {
            throw RelayError.invalidParam(field, "\(field): the host \(host) could not be resolved")
        }
        guard !addresses.isEmpty, addresses.allSatisfy(isPublic) else {
            throw RelayError.invalidParam(field, "\(field) points to a private, loopback or link-local address, which is not allowed")
        }
    }

    private static func resolve(host: String, port: Int) throws -> [SocketAddress] {
        let trimmed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = try? SocketAddress(ipAddress: trimmed, port: port) { return [literal] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(trimmed, String(port), &hints, &list) == 0, let first = list else { throw CocoaError(.fileReadUnknown) }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch Int32(entry.pointee.ai_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { addresses.append(SocketAddress($0.pointee, host: trimmed)) }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { addresses.append(SocketAddress($0.pointee, host: trimmed)) }
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    static func isPublic(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4):
            return isPublic(v4: withUnsafeBytes(of: v4.address.sin_addr.s_addr) { Array($0) })
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return isPublic(v4: Array(bytes[12..<16])) }
            if bytes.allSatisfy({ $0 == 0 }) || bytes == [UInt8](repeating: 0, count: 15) + [1] { return false }  // :: and ::1
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
            if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
            if bytes[0] == 0xFF { return false }  // multicast
            return true
        case .unixDomainSocket:
            return false
        }
    }

    /// Bytes in network order.
    static func isPublic(v4 b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false  // carrier-grade NAT
        case (169, 254): return false  // link-local, cloud metadata
        case (172, 16...31): return false
        case (192, 168): return false
        case (192, 0) where b[2] == 0: return false
        case (198, 18...19): return false  // benchmarking
        case (224...255, _): return false  // multicast, reserved, broadcast
        default: return true
        }
    }
}
