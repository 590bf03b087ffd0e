import Core
import Foundation
import NIOCore
import Testing

/// The files of `/docs` and `/admin` over HTTP: types, the Content-Security-Policy, compression and caching. What they
/// do in a browser is BrowserTests'.
@Suite("The pages' files")
struct WebPageTests {
    static let pages = ["/docs", "/admin"]

    @Test("each page and every file it names is served from Relay, with its type and the CSP; no other host is named")
    func served() async throws {
        try await withRelay { client in
            for page in Self.pages {
                for path in [page, page + "/"] {
                    let reply = try await client.get(path)
                    #expect(reply.status == .ok, "\(path)")
                    #expect(reply.header("Content-Type") == "text/html; charset=utf-8")
                    let policy = reply.header("Content-Security-Policy") ?? ""
                    #expect(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), "\(policy)")
                    #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval") && !policy.contains("http"))
                }
                let html = String(buffer: try await client.get(page).body)
                let names = html.matches(of: /(?:src|href)="([^"]+)"/).map { String($0.output.1) }
                let files = names.filter { $0.hasPrefix(page + "/") }
                #expect(files.count >= 2, "\(names)")
                #expect(names.allSatisfy { $0.hasPrefix("/") || $0 == "data:," }, "only this server's paths: \(names)")
                #expect(!html.contains("<script>") && !html.contains("style="), "no inline script or style: the CSP refuses them")
                for file in files {
                    let reply = try await client.get(file, headers: ["Accept-Encoding": "identity"])
                    #expect(reply.status == .ok, "\(file)")
                    let type = reply.header("Content-Type") ?? ""
                    #expect(type == (file.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"), "\(file): \(type)")
                    #expect(reply.header("X-Content-Type-Options") == "nosniff")
                    if !file.contains("swagger-ui") {
                        // Relay's own files name no other host (the SVG namespace is a name, never fetched).
                        let text = String(buffer: reply.body).replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
                        #expect(!text.contains("http://") && !text.contains("https://") && !text.contains("//fonts"), "\(file)")
                    }
                }
            }
            expectError(try await client.get("/docs/nothing.js"), .notFound, "not_found")
            expectError(try await client.get("/admin/nothing.js"), .notFound, "not_found")
        }
    }

    @Test("Swagger UI goes gzip-compressed to clients that take gzip, inflated to others; a current copy gets 304")
    func compression() async throws {
        try await withRelay { client in
            let path = "/docs/swagger-ui-bundle.js"
            let gzip = try await client.get(path, headers: ["Accept-Encoding": "gzip, deflate, br"])
            #expect(gzip.status == .ok)
            #expect(gzip.header("Content-Encoding") == "gzip")
            #expect(gzip.header("Vary") == "Accept-Encoding")
            let compressed = Array(gzip.body.readableBytesView)
            #expect(compressed.starts(with: [0x1f, 0x8b]))
            // gzip's trailer ends with the original length.
            let length = compressed.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
            #expect(length > 1_000_000)

            // No Accept-Encoding at all admits any coding (RFC 9110); refusing gzip gets the file itself.
            #expect(try await client.get(path).header("Content-Encoding") == "gzip")
            for refusal in ["identity", "gzip;q=0, identity", "br"] {
                let plain = try await client.get(path, headers: ["Accept-Encoding": refusal])
                #expect(plain.status == .ok)
                #expect(plain.header("Content-Encoding") == nil, "\(refusal)")
                #expect(plain.body.readableBytes == length, "\(refusal)")
                #expect(String(buffer: plain.body).hasPrefix("/*! For license information please see swagger-ui-bundle.js.LICENSE.txt */"))
            }

            let tag = try #require(gzip.header("ETag"))
            let again = try await client.get(path, headers: ["Accept-Encoding": "gzip", "If-None-Match": tag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            // The inflated copy is another representation, with a tag of its own.
            let plainTag = try await client.get(path, headers: ["Accept-Encoding": "identity"]).header("ETag")
            #expect(plainTag != nil && plainTag != tag)
            #expect(try await client.get(path, headers: ["Accept-Encoding": "identity", "If-None-Match": tag]).status == .ok)
            let page = try await client.get("/admin")
            #expect(try await client.get("/admin", headers: ["If-None-Match": try #require(page.header("ETag"))]).status == .notModified)
        }
    }
}
