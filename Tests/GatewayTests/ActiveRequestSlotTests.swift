import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RateLimit
import Testing

@testable import Gateway

/// A client that has gone away: every write fails, as it does on a closed connection.
struct DepartedClient: ResponseBodyWriter {
    func write(_ buffer: ByteBuffer) async throws { throw CancellationError() }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// A client that reads everything.
struct ReadingClient: ResponseBodyWriter {
    func write(_ buffer: ByteBuffer) async throws {}
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

@Suite("Active-request slots follow the response")
struct ActiveRequestSlotTests {
    static func streamed() -> Response {
        Response(
            status: .ok,
            body: ResponseBody { writer in
                for chunk in ["data: a\n\n", "data: b\n\n"] { try await writer.write(ByteBuffer(string: chunk)) }
                try await writer.finish(nil)
            }
        )
    }

    @Test("a streamed response holds its slot until written, and gives it back when the client leaves mid-stream")
    func streamedRelease() async throws {
        let limiter = ActiveRequestLimiter()
        var response = Self.streamed()
        response.holding(try #require(limiter.acquire("app", limit: 1)))
        #expect(limiter.inFlight("app") == 1)
        #expect(limiter.acquire("app", limit: 1) == nil)
        await #expect(throws: CancellationError.self) { try await response.body.write(DepartedClient()) }
        #expect(limiter.inFlight("app") == 0)

        var finished = Self.streamed()
        finished.holding(try #require(limiter.acquire("app", limit: 1)))
        try await finished.body.write(ReadingClient())
        #expect(limiter.inFlight("app") == 0)
    }

    @Test("a response that is never written does not keep its slot")
    func neverWritten() throws {
        let limiter = ActiveRequestLimiter()
        do {
            var response = Self.streamed()
            response.holding(try #require(limiter.acquire("app", limit: 1)))
            #expect(limiter.inFlight("app") == 1)
        }
        #expect(limiter.inFlight("app") == 0)
    }

    @Test("a response already in hand gives its slot back at once")
    func bufferedRelease() throws {
        let limiter = ActiveRequestLimiter()
        var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        response.holding(try #require(limiter.acquire("app", limit: 1)))
        #expect(limiter.inFlight("app") == 0)
    }
}
