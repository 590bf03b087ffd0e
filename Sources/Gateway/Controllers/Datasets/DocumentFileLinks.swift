import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Tenancy

/// Links to a document's source file that need no key (Dify's signed `file-preview` URLs): the path names the
/// document, the query its workspace, when the link was made and a nonce, signed with a key derived from the server
/// secret. A link works for `lifetime` (Dify's five minutes) and on every instance sharing the secret.
struct DocumentFileLinks: Sendable {
    private let key: SymmetricKey
    let lifetime: TimeInterval
    let now: @Sendable () -> Date

    init(secret: String, lifetime: TimeInterval = 300, now: @escaping @Sendable () -> Date) {
        key = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(for: Data("relay document links v1".utf8), using: SymmetricKey(data: Data(secret.utf8))))
        self.lifetime = lifetime
        self.now = now
    }

    /// The link's path and query under `base` (scheme and host the client reached).
    func url(for document: DatasetDocument, base: String) -> String {
        let timestamp = String(Int(now().timeIntervalSince1970))
        let nonce = SecretToken.random(count: 22)
        let sign = signature(document.id, workspace: document.workspaceID, timestamp: timestamp, nonce: nonce)
        return "\(base)/files/documents/\(document.id)/file?workspace=\(document.workspaceID)&timestamp=\(timestamp)&nonce=\(nonce)&sign=\(sign)"
    }

    /// The workspace a link's query vouches for, or a 403 for a link that is forged, altered or too old.
    func verify(_ document: DocumentID, query: (String) -> String?) throws -> WorkspaceID {
        guard let workspaceText = query("workspace"), let workspace = WorkspaceID(workspaceText), let timestamp = query("timestamp"),
            let nonce = query("nonce"), let sign = query("sign"), let made = Double(timestamp)
        else { throw RelayError(.forbidden, "The file link is incomplete") }
        guard let code = Self.base64URLDecoded(sign),
            HMAC<SHA256>.isValidAuthenticationCode(
                code, authenticating: Data(Self.message(document, workspace: workspace, timestamp: timestamp, nonce: nonce).utf8), using: key)
        else { throw RelayError(.forbidden, "The file link's signature is not valid") }
        let age = now().timeIntervalSince1970 - made
        guard age >= -60, age <= lifetime else { throw RelayError(.forbidden, "The file link has expired; ask for a new one") }
        return workspace
    }

    /// The link's signature, base64url without padding; checked in constant time by swift-crypto.
    private func signature(_ document: DocumentID, workspace: WorkspaceID, timestamp: String, nonce: String) -> String {
        let message = Self.message(document, workspace: workspace, timestamp: timestamp, nonce: nonce)
        let code = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)
        return Data(code).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func message(_ document: DocumentID, workspace: WorkspaceID, timestamp: String, nonce: String) -> String {
        "document-file|\(document)|\(workspace)|\(timestamp)|\(nonce)"
    }

    private static func base64URLDecoded(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

extension Request {
    /// The scheme and host the client used to reach this server (`X-Forwarded-Proto` when a proxy says it), for
    /// links in answers.
    var publicBase: String {
        let scheme = headers[HTTPField.Name("X-Forwarded-Proto")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        let host = head.authority ?? "localhost"
        return "\(scheme == "https" ? "https" : "http")://\(host)"
    }
}

/// Serves a document's source through a signed link: no key, the signature stands for the workspace.
struct DocumentFilesController {
    let datasets: DatasetService
    let links: DocumentFileLinks

    func addRoutes(to router: Router<RelayRequestContext>) {
        router.get("files/documents/:document_id/file") { request, context in
            let id = try DocumentID.parse(try context.parameters.require("document_id"), field: "document_id")
            let workspace = try links.verify(id) { name in request.uri.queryParameters.get(name).map { String($0) } }
            guard let (document, source) = try await datasets.linkedSource(of: id, in: workspace) else {
                throw RelayError.notFound("Document \(id) not found")
            }
            var headers = HTTPFields()
            headers[.contentType] = DocumentFormat.mimeType(ofDocType: document.docType)
            let name = DocumentsController.fileName(of: document)
            if request.uri.queryParameters.get("as_attachment") == "true" { headers[.contentDisposition] = Self.contentDisposition(name) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: source.content)))
        }
    }

    /// `attachment` under `name`: an ASCII stand-in for old clients, the name itself (RFC 5987) for the rest.
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
