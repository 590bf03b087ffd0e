import Core
import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// Reads a `multipart/form-data` body as it arrives: text fields into memory (each at most `maxFieldSize`), the one
/// file field through `beginFile`'s upload, never the whole body at once.
struct MultipartUpload {
    static let maxFieldSize = 64 << 10

    /// One event of the parser, replayed after each chunk so that writes can be awaited.
    private enum Event {
        case header(String, String)
        case body(ByteBuffer)
        case end
    }

    private final class Events {
        var list: [Event] = []
    }

    /// The form's text fields and the file, when there was one.
    static func read<Sink: MultipartFileSink>(
        _ request: Request, fileField: String, beginFile: (_ filename: String) throws -> Sink
    ) async throws -> (fields: [String: String], file: Sink?) {
        guard let contentType = request.headers[.contentType], let boundary = boundary(of: contentType) else {
            throw RelayError(.noFileUploaded, "The request must be multipart/form-data with a '\(fileField)' file field")
        }
        // The parser traps on an empty boundary; anything RFC 2046 does not allow is the client's mistake, said so.
        guard isValidBoundary(boundary) else {
            throw RelayError.invalidParam(
                "Content-Type", "The multipart boundary must be 1 to 70 characters of letters, digits and '()+_,-./:=? (not ending in a space)",
                type: "malformed"
            )
        }
        let parser = MultipartParser(boundary: boundary)
        var screen = HeaderNameScreen(boundary: boundary)
        let events = Events()
        parser.onHeader = { events.list.append(.header($0, $1)) }
        parser.onBody = { events.list.append(.body($0)) }
        parser.onPartComplete = { events.list.append(.end) }

        var fields: [String: String] = [:]
        var file: Sink?
        var headers: [String: String] = [:]
        var part: (name: String, upload: Sink?, text: [UInt8])?
        do {
            for try await chunk in request.body {
                do {
                    // The parser traps on a byte past ASCII in a part's header name: refused before it sees one.
                    guard screen.admits(chunk) else { throw HeaderNameScreen.Refusal() }
                    try parser.execute(chunk)
                } catch {
                    throw RelayError.invalidParam("body", "The multipart body is malformed", type: "malformed")
                }
                for event in events.list {
                    switch event {
                    case .header(let name, let value):
                        headers[name.lowercased()] = value
                    case .body(let buffer):
                        if part == nil {
                            let disposition = Self.disposition(headers["content-disposition"] ?? "")
                            let name = disposition["name"] ?? ""
                            var upload: Sink?
                            if name == fileField, let filename = disposition["filename"] {
                                guard file == nil else { throw RelayError(.tooManyFiles, "Only one file can be uploaded at a time") }
                                upload = try beginFile(filename)
                                file = upload
                            }
                            part = (name, upload, [])
                        }
                        if let upload = part?.upload {
                            try upload.write(buffer)
                        } else {
                            part?.text += buffer.readableBytesView
                            guard (part?.text.count ?? 0) <= maxFieldSize else {
                                throw RelayError.invalidParam(part?.name ?? "body", "A form field may be at most \(maxFieldSize >> 10) KiB")
                            }
                        }
                    case .end:
                        if let current = part, current.upload == nil {
                            fields[current.name] = String(decoding: current.text, as: UTF8.self)
                        } else if part == nil {
                            // A part with no body: an empty field, or an empty file.
                            let disposition = Self.disposition(headers["content-disposition"] ?? "")
                            if disposition["filename"] == nil, let name = disposition["name"] { fields[name] = "" }
                        }
                        part = nil
                        headers = [:]
                    }
                }
                events.list.removeAll(keepingCapacity: true)
            }
        } catch {
            file?.abandon()
            throw error
        }
        return (fields, file)
    }

    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("boundary=") {
            let value = parameter.dropFirst("boundary=".count)
            return value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? String(value.dropFirst().dropLast()) : String(value)
        }
        return nil
    }

    /// RFC 2046's `boundary`: 1 to 70 of its characters, the last not a space.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.last != UInt8(ascii: " ") else { return false }
        return bytes.allSatisfy(allowed.contains)
    }

    /// `form-data; name="file"; filename="a.png"` as its parameters.
    static func disposition(_ header: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            // Only the base name: a client's folders are not ours.
            if pair[0].lowercased() == "filename" { value = (value as NSString).lastPathComponent }
            parameters[pair[0].lowercased()] = value
        }
        return parameters
    }
}

/// Follows `MultipartParser` (MultipartKit 4) through a body byte by byte, as it reads it, to find the one input it traps
/// on rather than throws: a byte past ASCII where it reads a part's header name (`allowedHeaderFieldNameCharacterFlags`
/// has 128 entries, indexed by the byte). Its states and transitions are the parser's; a byte the parser would refuse
/// is let through, since the parser throws on it (a 400) before reading further.
struct HeaderNameScreen {
    struct Refusal: Error {}

    private enum State {
        case preamble(matched: Int)
        /// Before a part's headers, expecting CR LF (`sawCR`: the CR has been read).
        case preHeaders(sawCR: Bool)
        case headerName(empty: Bool)
        case headerValue
        /// A header's CR has been read, its LF is next.
        case postHeaderValue
        /// The blank line's CR has been read, its LF is next.
        case postHeaders
        case body
        case boundary(matched: Int)
        case epilogue
    }

    /// `CR LF - - boundary`, as the parser matches it.
    private let delimiter: [UInt8]
    private var state = State.preamble(matched: 0)

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Whether the parser can read `chunk` (the next bytes of the body) without trapping.
    mutating func admits(_ chunk: ByteBuffer) -> Bool {
        chunk.withUnsafeReadableBytes { bytes in
            var index = 0
            while index < bytes.count {
                if case .body = state {
                    // The common case, a file's bytes: skip to the next byte that could start a delimiter.
                    guard let next = bytes[index...].firstIndex(of: delimiter[0]) else { return true }
                    index = next
                }
                if case .epilogue = state { return true }
                guard step(bytes[index]) else { return false }
                index += 1
            }
            return true
        }
    }

    /// One byte, as `MultipartParser` reads it; false for a byte it would trap on.
    private mutating func step(_ byte: UInt8) -> Bool {
        let (cr, colon, hyphen): (UInt8, UInt8, UInt8) = (13, 58, 45)
        switch state {
        case .preamble(var matched):
            if matched == 0, byte == delimiter[2] {
                matched = 3
            } else if byte == delimiter[matched] {
                matched += 1
            } else if matched > 0, byte == delimiter[0] {
                matched = 1
            } else {
                matched = 0
            }
            state = matched >= delimiter.count ? .preHeaders(sawCR: false) : .preamble(matched: matched)
        case .preHeaders(let sawCR):
            // CR LF, then the first header; the parser throws on anything else.
            state = !sawCR && byte == cr ? .preHeaders(sawCR: true) : .headerName(empty: true)
        case .headerName(let empty):
            guard byte < 0x80 else { return false }
            if byte == colon, !empty {
                state = .headerValue
            } else if byte == cr, empty {
                state = .postHeaders
            } else {
                state = .headerName(empty: false)
            }
        case .headerValue:
            if byte == cr { state = .postHeaderValue }
        case .postHeaderValue:
            // LF (the parser throws on anything else), then the next header or the blank line.
            state = .headerName(empty: true)
        case .postHeaders:
            // LF, then the part's body.
            state = .body
        case .body:
            if byte == delimiter[0] { state = .boundary(matched: 1) }
        case .boundary(let matched):
            if matched >= delimiter.count {
                // After a whole delimiter: CR (more parts) or `-` (the last); the parser throws on anything else.
                state = byte == hyphen ? .epilogue : .preHeaders(sawCR: true)
            } else if byte == delimiter[matched] {
                state = .boundary(matched: matched + 1)
            } else {
                state = byte == delimiter[0] ? .boundary(matched: 1) : .body
            }
        case .epilogue:
            break
        }
        return true
    }
}

/// Where the file part of a multipart body goes as it arrives.
protocol MultipartFileSink: AnyObject {
    func write(_ buffer: ByteBuffer) throws
    /// Drops what was written: the request failed.
    func abandon()
}

extension FileUpload: MultipartFileSink {}

/// A file part kept in memory, refused with 413 past `limit` bytes.
final class MultipartMemoryFile: MultipartFileSink {
    let limit: Int
    let field: String
    private(set) var data = Data()

    init(limit: Int, field: String) {
        self.limit = limit
        self.field = field
    }

    func write(_ buffer: ByteBuffer) throws {
        guard data.count + buffer.readableBytes <= limit else {
            throw RelayError(.payloadTooLarge, "'\(field)' may be at most \(limit >> 20) MiB")
        }
        data.append(contentsOf: buffer.readableBytesView)
    }

    func abandon() { data = Data() }
}
