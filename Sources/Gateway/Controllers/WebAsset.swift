import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Synchronization
import WebAssets
import ZIPFoundation

/// A file of the pages Relay serves itself (`/docs`, `/admin`), compiled into the binary from Sources/WebAssets.
///
/// Served with a strong ETag (a repeat visit costs a 304), and with the pages' Content-Security-Policy: nothing but
/// this server may be loaded, framed or posted to. Files stored gzip-compressed are sent as they are to every client
/// that accepts gzip, and inflated once, on first need, for one that does not.
struct WebAsset: Sendable {
    /// `img-src data:` is for the icons Swagger UI's stylesheet carries inline as `data:` URLs: no other host.
    static let contentSecurityPolicy = [
        "default-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    let contentType: String
    /// The bytes as stored: gzip when `gzipped`.
    let stored: ByteBuffer
    let gzipped: Bool
    private let tag: String
    private let inflated: Inflated?

    /// The embedded file at `path` under Sources/WebAssets; gzip-compressed when its name ends in `.gz`.
    init(_ path: String, contentType: String) {
        let asset = relay_web_asset_named(path)
        // A name missing from assets.c is a programming error every test of the pages catches.
        guard let bytes = asset.bytes else { preconditionFailure("\(path) is not among the embedded web assets") }
        let buffer = UnsafeBufferPointer(start: bytes, count: asset.length)
        self.contentType = contentType
        stored = ByteBuffer(bytes: buffer)
        gzipped = path.hasSuffix(".gz")
        tag = SHA256.hash(data: buffer).prefix(12).map { String(format: "%02x", $0) }.joined()
        inflated = gzipped ? Inflated(gzip: stored) : nil
    }

    /// The response to `request`: the file, or 304 when the client's copy is current.
    func response(to request: Request) -> Response {
        let sendGzip = gzipped && Self.acceptsGzip(request.headers[values: .acceptEncoding])
        let etag = "\"\(tag)\(sendGzip ? "-gz" : "")\""
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.eTag] = etag
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if gzipped { headers[.vary] = "Accept-Encoding" }
        if Self.matches(request.headers[values: .ifNoneMatch], etag) {
            return Response(status: .notModified, headers: headers)
        }
        if sendGzip { headers[.contentEncoding] = "gzip" }
        let body = sendGzip || !gzipped ? stored : inflated!.buffer
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// Whether `Accept-Encoding` admits gzip. With no such header any coding is acceptable (RFC 9110, 12.5.3).
    static func acceptsGzip(_ values: [String]) -> Bool {
        guard !values.isEmpty else { return true }
        var quality: [String: Double] = [:]
        for item in values.joined(separator: ",").split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, !coding.isEmpty else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            quality[coding] = q
        }
        return (quality["gzip"] ?? quality["x-gzip"] ?? quality["*"] ?? 0) > 0
    }

    static func matches(_ ifNoneMatch: [String], _ etag: String) -> Bool {
        ifNoneMatch.joined(separator: ",").split(separator: ",").contains {
            let candidate = $0.trimmingCharacters(in: .whitespaces)
            return candidate == "*" || candidate == etag || candidate == "W/\(etag)"
        }
    }
}

/// A gzip file's content, inflated the first time a client that refuses gzip asks for it.
private final class Inflated: Sendable {
    private let gzip: ByteBuffer
    private let cache = Mutex<ByteBuffer?>(nil)

    init(gzip: ByteBuffer) { self.gzip = gzip }

    var buffer: ByteBuffer {
        cache.withLock { cached in
            if let cached { return cached }
            let inflated = ByteBuffer(data: Self.inflate(Data(buffer: gzip)))
            cached = inflated
            return inflated
        }
    }

    /// The files are written by `gzip -n`: a 10-byte header without optional fields, the deflate stream, then the
    /// CRC-32 and length (8 bytes).
    private static func inflate(_ gzip: Data) -> Data {
        precondition(gzip.count > 18 && gzip.starts(with: [0x1f, 0x8b, 8, 0]), "not a gzip file without optional fields")
        let deflate = gzip.subdata(in: 10..<gzip.count - 8)
        var output = Data()
        // The embedded bytes are fixed at build time, and the tests inflate them.
        _ = try! Data.decompress(
            // Linux's zlib path asks for whole buffers, past the end too.
            size: Int64(deflate.count), bufferSize: 64 * 1024, skipCRC32: true,
            provider: { position, size in deflate.subdata(in: Int(position)..<min(Int(position) + size, deflate.count)) },
            consumer: { output.append($0) }
        )
        return output
    }
}
