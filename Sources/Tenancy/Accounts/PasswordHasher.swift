import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on NIO's thread pool: a hash takes ~200 ms at cost 12 and must never block an event loop.
public struct PasswordHasher: Sendable {
    public static let productionCost: UInt8 = 12
    let cost: UInt8

    /// `cost` below 12 is for tests only; the server always uses `productionCost`.
    public init(cost: UInt8 = PasswordHasher.productionCost) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
