import NIOCore
import Testing

@testable import Core

@Suite("Which addresses a message's image URL may reach")
struct RemoteImageFetcherTests {
    @Test("private, loopback, link-local, CGNAT, multicast and unspecified addresses are refused; public ones pass")
    func addresses() throws {
        let refused = [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1",
        ]
        for address in refused {
            #expect(!RemoteImageFetcher.isPublic(try SocketAddress(ipAddress: address, port: 80)), "\(address)")
        }
        for address in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1"] {
            #expect(RemoteImageFetcher.isPublic(try SocketAddress(ipAddress: address, port: 80)), "\(address)")
        }
    }
}
