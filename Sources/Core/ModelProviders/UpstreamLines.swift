import NIOCore

/// Splits a streamed HTTP body into lines (`\n`, with any `\r` before it dropped), as Server-Sent Events arrive from an
/// upstream. A line longer than `maxLineLength` is an upstream fault, not a reason to grow without bound.
struct UpstreamLines<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    let base: Base
    let maxLineLength: Int

    struct LineTooLong: Error, CustomStringConvertible {
        var description: String { "it sent a line longer than the limit" }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let maxLineLength: Int
        var pending: [UInt8] = []
        var finished = false

        mutating func next() async throws -> String? {
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = pending[..<newline]
                    if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                    let text = String(decoding: line, as: UTF8.self)
                    pending.removeSubrange(...newline)
                    return text
                }
                if finished {
                    guard !pending.isEmpty else { return nil }
                    defer { pending.removeAll() }
                    return String(decoding: pending, as: UTF8.self)
                }
                guard pending.count <= maxLineLength else { throw LineTooLong() }
                if let buffer = try await base.next() {
                    pending.append(contentsOf: buffer.readableBytesView)
                } else {
                    finished = true
                }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), maxLineLength: maxLineLength)
    }
}
