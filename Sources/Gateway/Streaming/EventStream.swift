import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Server-Sent Events as Dify frames them: each event one `data: <json>` line and a blank line, written the moment it
/// is produced; `event: ping` and a blank line every `pingInterval` while the stream is open.
enum EventStream {
    typealias Frames = AsyncStream<ByteBuffer>.Continuation

    /// The media type of every event stream: how the request metrics tell one from another streamed answer.
    static let mediaType = "text/event-stream"

    static func frame(_ event: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes((try? RelayJSON.encoder.encode(event)) ?? Data("{}".utf8))
        buffer.writeString("\n\n")
        return buffer
    }

    static let ping = ByteBuffer(string: "event: ping\n\n")

    /// A streamed response fed by `produce`, which yields frames and returns when the stream is complete. When the
    /// client goes away, `produce`'s task is cancelled and left to finish its own clean-up.
    static func response(pingInterval: Duration, produce: @escaping @Sendable (Frames) async -> Void) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "\(mediaType); charset=utf-8"
        headers[.cacheControl] = "no-cache"
        // Tells nginx-style proxies not to buffer the stream.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let (frames, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .unbounded)
                let producer = Task {
                    await produce(continuation)
                    continuation.finish()
                }
                let pinger = Task {
                    while true {
                        try await Task.sleep(for: pingInterval)
                        continuation.yield(ping)
                    }
                }
                defer { pinger.cancel() }
                do {
                    for await frame in frames { try await writer.write(frame) }
                } catch {
                    producer.cancel()
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }
}
