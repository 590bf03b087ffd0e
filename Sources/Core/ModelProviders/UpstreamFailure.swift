import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Turns what an upstream model server answered (or failed to) into Dify's error codes.
enum UpstreamFailure {
    /// An upstream answer other than 2xx.
    static func error(status: UInt, headers: HTTPHeaders, body: ByteBuffer?, provider: String) -> RelayError {
        let detail = message(in: body).map { ": \($0)" } ?? ""
        switch status {
        case 401, 403:
            return RelayError(
                .providerNotInitialize,
                "The \(provider) upstream refused this workspace's credentials (HTTP \(status))\(detail). "
                    + "Update them under /console/api/workspaces/current/model-providers/\(provider)/credentials"
            )
        case 429:
            var error = RelayError(.rateLimitExceeded, "The \(provider) upstream is rate limiting requests\(detail)")
            if let hint = retryAfter(headers) { error.headers.append(("Retry-After", hint)) }
            return error
        case 404:
            return RelayError(.modelCurrentlyNotSupport, "The \(provider) upstream does not serve this model (HTTP 404)\(detail)")
        default:
            return RelayError(.completionRequestError, "The \(provider) upstream answered HTTP \(status)\(detail)")
        }
    }

    /// The request never got an answer: refused, timed out, reset.
    static func unreachable(_ error: any Error, url: String, provider: String) -> RelayError {
        let host = URL(string: url)?.host ?? url
        return RelayError(
            .completionRequestError, "Could not reach the \(provider) upstream at \(host): \(describe(error))", underlying: error
        )
    }

    /// Whether trying again may help: the server failed, not the request.
    static func isRetryable(status: UInt) -> Bool { status >= 500 }

    /// Seconds to wait, from the upstream's `retry-after` (seconds or an HTTP date) or `retry-after-ms`.
    static func retryAfter(_ headers: HTTPHeaders) -> String? {
        if let seconds = headers.first(name: "retry-after").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
            return String(Int(seconds.rounded(.up)))
        }
        if let milliseconds = headers.first(name: "retry-after-ms").flatMap(Double.init) {
            return String(Int((milliseconds / 1000).rounded(.up)))
        }
        return headers.first(name: "retry-after")
    }

    /// The upstream's own explanation: OpenAI's `{"error": {"message"}}`, `{"error": "..."}`, `{"message"}`, or text.
    static func message(in body: ByteBuffer?) -> String? {
        guard let body, body.readableBytes > 0 else { return nil }
        let data = Data(body.readableBytesView)
        var text: String?
        if let json = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let object) = json {
            switch object["error"] {
            case .object(let error)?: if case .string(let message)? = error["message"] { text = message }
            case .string(let message)?: text = message
            default: if case .string(let message)? = object["message"] { text = message }
            }
        }
        let message = (text ?? String(decoding: data, as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else { return nil }
        return message.count > 500 ? String(message.prefix(500)) + "…" : message
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .readTimeout: "no answer within the read timeout"
        case let error as HTTPClientError where error == .connectTimeout: "the connection timed out"
        case let error as HTTPClientError where error == .deadlineExceeded: "the request took too long"
        case let error as HTTPClientError where error == .remoteConnectionClosed: "the server closed the connection"
        default: String(describing: error)
        }
    }
}
