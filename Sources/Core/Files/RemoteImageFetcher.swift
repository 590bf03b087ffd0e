import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Fetches an image a message names by URL, refusing private and loopback targets (unless the operator allows them) and
/// link-local ones (always) at every redirect, and anything too large or not an image.
///
/// Each host is checked by `DestinationPolicy` before the request.
public struct RemoteImageFetcher: Sendable {
    let client: UpstreamClient
    let destinations: DestinationPolicy

    public init(client: UpstreamClient, allowsPrivateNetworks: Bool) {
        self.client = client
        self.destinations = DestinationPolicy(allowsPrivate: allowsPrivateNetworks)
    }

    static let maxRedirects = 3

    /// The image's bytes and MIME type; `field` names the request field in errors.
    public func fetch(_ text: String, field: String) async throws -> (data: Data, mimeType: String) {
        var location = text
        for _ in 0...Self.maxRedirects {
            guard let url = URL(string: location), url.scheme == "http" || url.scheme == "https", let host = url.host, !host.isEmpty else {
                throw RelayError.invalidParam(field, "\(field) must be an http(s) URL")
            }
            try await destinations.check(host: host, port: url.port ?? (url.scheme == "https" ? 443 : 80), field: field)
            var request = HTTPClientRequest(url: location)
            request.headers.add(name: "Accept", value: "image/*")
            let response: HTTPClientResponse
            do {
                response = try await client.http.execute(request, timeout: .seconds(30))
            } catch {
                throw RelayError.invalidParam(field, "\(field) could not be fetched: \(UpstreamFailure.describe(error))")
            }
            switch response.status.code {
            case 200..<300:
                let body: ByteBuffer
                do {
                    body = try await response.body.collect(upTo: FileKind.imageLimit)
                } catch is NIOTooManyBytesError {
                    throw RelayError(.fileTooLarge, "Images may be at most \(FileKind.imageLimit >> 20) MB")
                }
                let bytes = Array(body.readableBytesView)
                guard
                    let kind = ["png", "jpg", "gif", "webp"].compactMap(FileKind.of(extension:)).first(where: { $0.matches(Array(bytes.prefix(64))) })
                else {
                    throw RelayError(.unsupportedFileType, "\(field) is not a png, jpeg, gif or webp image")
                }
                return (Data(bytes), kind.mimeType)
            case 301, 302, 303, 307, 308:
                guard let next = response.headers.first(name: "location"), let resolved = URL(string: next, relativeTo: URL(string: location))
                else {
                    throw RelayError.invalidParam(field, "\(field) redirected without a location")
                }
                location = resolved.absoluteString
            default:
                throw RelayError.invalidParam(field, "\(field) could not be fetched: HTTP \(response.status.code)")
            }
        }
        throw RelayError.invalidParam(field, "\(field) redirected more than \(Self.maxRedirects) times")
    }
}
