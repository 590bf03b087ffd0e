import Core
import Foundation
import Testing

@testable import RateLimit

@Suite("Windows, decisions and stores")
struct RateLimitUnitTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)  // a UTC hour boundary

    @Test("windows are aligned to UTC calendar boundaries")
    func alignment() {
        let date = start + 3_725.5  // 01:02:05.5 past the hour boundary
        #expect(RateWindow.minute.start(containing: date) == 1_800_003_720)
        #expect(RateWindow.hour.start(containing: date) == 1_800_003_600)
        #expect(RateWindow.day.start(containing: date) == 1_800_000_000 - 1_800_000_000 % 86_400)
        #expect(RateWindow.minute.secondsUntilReset(from: date) == 55)
        #expect(RateWindow.minute.secondsUntilReset(from: start + 59.9) == 1)
    }

    @Test("a decision counts every rule or none, and refused requests spend nothing")
    func allOrNothing() async throws {
        let limiter = RateLimiter(store: InProcessRateLimitStore())
        let rules = [
            RateLimitRule(holder: "workspace", key: "ws", window: .minute, limit: 3),
            RateLimitRule(holder: "app", key: "app", window: .minute, limit: 2),
        ]
        #expect(try await limiter.admit(rules, at: start).isAdmitted)
        #expect(try await limiter.admit(rules, at: start).isAdmitted)
        let refused = try await limiter.admit(rules, at: start)
        #expect(!refused.isAdmitted)
        #expect(refused.states.map(\.hits) == [2, 2])
        // The workspace still has room for a request to another app.
        let other = try await limiter.admit([rules[0]], at: start)
        #expect(other.isAdmitted && other.states[0].remaining == 0)
    }

    @Test("the most restrictive window binds the headers; Retry-After waits for every exhausted window")
    func headers() async throws {
        let limiter = RateLimiter(store: InProcessRateLimitStore())
        let date = start + 30
        let rules = [
            RateLimitRule(holder: "workspace", key: "ws", window: .minute, limit: 10),
            RateLimitRule(holder: "workspace", key: "ws", window: .hour, limit: 2),
        ]
        let first = try await limiter.admit(rules, at: date)
        let headers = Dictionary(first.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        #expect(headers["X-RateLimit-Limit"] == "2" && headers["X-RateLimit-Remaining"] == "1")
        #expect(headers["X-RateLimit-Reset"] == "3570")
        #expect(headers["RateLimit"] == "\"hour\";r=1;t=3570")
        #expect(headers["Retry-After"] == nil)
        _ = try await limiter.admit(rules, at: date)
        let refused = try await limiter.admit(rules, at: date)
        #expect(refused.retryAfter == 3570)
        #expect(refused.refusal.contains("2 requests per hour"))
    }

    @Test("the in-process store admits exactly the limit under contention from many threads")
    func inProcessExactness() async {
        let store = InProcessRateLimitStore()
        let counter = [RateCounter(key: "hot", windowLength: 60, windowStart: 0, limit: 1_000)]
        let admitted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).reduce(0) { count, _ in count + (store.hitNow(counter).admitted ? 1 : 0) } }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 1_000)
    }

    @Test("an active-request slot is released once, explicitly or when dropped")
    func slots() {
        let limiter = ActiveRequestLimiter()
        let first = limiter.acquire("app", limit: 2)
        var second = limiter.acquire("app", limit: 2)
        #expect(first != nil && second != nil)
        #expect(limiter.acquire("app", limit: 2) == nil)
        first?.release()
        first?.release()
        #expect(limiter.inFlight("app") == 1)
        second = nil
        #expect(second == nil && limiter.inFlight("app") == 0)
        #expect(limiter.acquire("app", limit: 0) != nil && limiter.inFlight("app") == 0)
    }
}
