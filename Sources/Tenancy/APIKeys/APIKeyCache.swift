import Core
import Foundation
import Synchronization

/// Recently resolved keys, so the Public API does not read the database on every request.
///
/// Entries live `ttl` (one second by default), which bounds how long a revocation made by another instance can go
/// unnoticed; revocations made here drop the cache at once. Unknown keys are remembered too, so a flood of guesses
/// costs one read per guess per second at most.
final class APIKeyCache: Sendable {
    struct Entry {
        let lookup: APIKeyLookup?
        let expiresAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    let ttl: TimeInterval
    let capacity: Int

    init(ttl: TimeInterval, capacity: Int = 50_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached answer for this key (which may be "no such key"), or `.none` when nothing fresh is cached.
    func lookup(_ cacheKey: String, at date: Date) -> APIKeyLookup?? {
        guard ttl > 0 else { return .none }
        return entries.withLock { entries in
            guard let entry = entries[cacheKey], entry.expiresAt > date else { return .none }
            return .some(entry.lookup)
        }
    }

    func store(_ lookup: APIKeyLookup?, for cacheKey: String, at date: Date) {
        guard ttl > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > date }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[cacheKey] = Entry(lookup: lookup, expiresAt: date + ttl)
        }
    }

    func removeAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
