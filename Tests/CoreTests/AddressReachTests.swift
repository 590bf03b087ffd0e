import NIOCore
import Testing

@testable import Core

@Suite("Which addresses Relay may connect to on a client's behalf")
struct AddressReachTests {
    @Test("private, loopback, CGNAT, multicast and unspecified addresses are private; link-local and metadata ones apart")
    func addresses() throws {
        let privateOnes = [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1",
            "255.255.255.255", "::1", "::", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1", "64:ff9b::a00:1",
        ]
        for address in privateOnes {
            #expect(AddressReach.of(try SocketAddress(ipAddress: address, port: 80)) == .private, "\(address)")
        }
        let metadata = [
            "169.254.169.254", "169.254.170.2", "100.100.100.200", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ]
        for address in metadata {
            #expect(AddressReach.of(try SocketAddress(ipAddress: address, port: 80)) == .linkLocal, "\(address)")
        }
        for address in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1"] {
            #expect(AddressReach.of(try SocketAddress(ipAddress: address, port: 80)) == .public, "\(address)")
        }
    }

    @Test("a policy that allows private addresses still refuses link-local and metadata ones, by name as by literal")
    func policy() async throws {
        let open = DestinationPolicy(allowsPrivate: true)
        try await open.check(host: "127.0.0.1", port: 80, field: "url")
        try await open.check(host: "localhost", port: 80, field: "url")
        await #expect(throws: RelayError.self) { try await open.check(host: "169.254.169.254", port: 80, field: "url") }
        await #expect(throws: RelayError.self) { try await open.check(host: "[fe80::1]", port: 80, field: "url") }
        let closed = DestinationPolicy(allowsPrivate: false)
        await #expect(throws: RelayError.self) { try await closed.check(host: "localhost", port: 80, field: "url") }
        await #expect(throws: RelayError.self) { try await closed.check(host: "10.0.0.1", port: 80, field: "url") }
    }
}
