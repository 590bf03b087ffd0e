import HummingbirdBcrypt
import NIOCore
import NIOPosix

/// bcrypt, run on a thread pool of its own: a hash takes ~200 ms at cost 12 and must never block an event loop, nor
/// queue ahead of the other blocking work that shares NIO's pool (name lookups before model calls), as a burst of
/// sign-ins would.
public struct PasswordHasher: Sendable {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    public static let productionCost: UInt8 = 12
    let cost: UInt8

    /// `cost` below 12 is for tests only; the server always uses `productionCost`.
    public init(cost: UInt8 = PasswordHasher.productionCost) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await PasswordHasher.pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await PasswordHasher.pool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
