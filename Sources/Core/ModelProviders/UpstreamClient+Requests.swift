import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension UpstreamClient {
    /// Largest upstream event line accepted: a token or a usage report is far smaller.
    static let maxLineLength = 1 << 20

    /// A base URL from a credential form, without trailing slashes (or `suffix`); `invalid_param` naming the
    /// credential when it is not an http(s) URL.
    static func baseURL(_ text: String, credential: String, dropping suffix: String? = nil) throws -> String {
        var base = text.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if let suffix, base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        guard let url = URL(string: base), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw RelayError.invalidParam("credentials.\(credential)", "\(credential) must be an http(s) URL, not '\(text)'")
        }
        // Paths are appended to the base: a query or fragment would let the credential choose the whole request.
        guard url.query == nil, url.fragment == nil, !base.contains("?"), !base.contains("#") else {
            throw RelayError.invalidParam("credentials.\(credential)", "\(credential) may not carry a query or a fragment ('?' or '#')")
        }
        guard url.user == nil, url.password == nil else {
            throw RelayError.invalidParam("credentials.\(credential)", "\(credential) may not carry a user name or password; use the API key")
        }
        return base
    }

    /// Sends a request, retrying failures that happened before any answer arrived (unreachable, 5xx) with backoff;
    /// any other answer than 2xx becomes Dify's error for it.
    func send(_ request: HTTPClientRequest, provider: String) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            attempt += 1
            let canRetry = attempt <= policy.retries
            do {
                try await endpoints.check(request.url)
                // The deadline bounds one whole generation; silence is bounded by the client's read timeout.
                let response = try await http.execute(request, timeout: .minutes(30))
                if (200..<300).contains(response.status.code) { return response }
                let body = try? await response.body.collect(upTo: 64 << 10)
                if canRetry, UpstreamFailure.isRetryable(status: response.status.code) {
                    try await Task.sleep(for: policy.delay(beforeRetry: attempt))
                    continue
                }
                throw UpstreamFailure.error(status: response.status.code, headers: response.headers, body: body, provider: provider)
            } catch let error as RelayError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                guard canRetry else { throw UpstreamFailure.unreachable(error, url: request.url, provider: provider) }
                try await Task.sleep(for: policy.delay(beforeRetry: attempt))
            }
        }
    }

    /// Reads a streamed answer's Server-Sent Events, passing each `data:` payload (with the `event:` name before it,
    /// if any) to `handle` until it returns `false` or the stream ends. A connection that fails mid-answer, or goes
    /// silent past the read timeout, is a `completion_request_error`.
    func readEvents(
        of response: HTTPClientResponse, provider: String, _ handle: (_ event: String?, _ data: String) throws -> Bool
    ) async throws {
        do {
            var event: String?
            for try await line in UpstreamLines(base: response.body, maxLineLength: Self.maxLineLength) {
                if line.isEmpty {
                    event = nil
                } else if line.hasPrefix("event:") {
                    event = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("data:") {
                    guard try handle(event, line.dropFirst(5).trimmingCharacters(in: .whitespaces)) else { return }
                }
            }
        } catch let error as RelayError {
            throw error
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw RelayError(
                .completionRequestError, "The \(provider) upstream failed mid-answer: \(UpstreamFailure.describe(error))", underlying: error
            )
        }
    }
}

extension UpstreamClient {
    /// Checks credentials by listing the upstream's models (`{"data": [{"id"}]}`, as OpenAI and Anthropic answer);
    /// a refusal is `invalid_param` on `credentials` with the upstream's reason. A server without a list (404) is let
    /// through with none.
    func modelList(_ request: HTTPClientRequest, provider: String) async throws -> [String] {
        let response: HTTPClientResponse
        try await endpoints.check(request.url)
        do {
            response = try await http.execute(request, timeout: UpstreamClient.timeAmount(policy.readTimeout))
        } catch {
            throw RelayError.invalidParam("credentials", UpstreamFailure.unreachable(error, url: request.url, provider: provider).message)
        }
        let body = try? await response.body.collect(upTo: 8 << 20)
        switch response.status.code {
        case 200..<300:
            guard let body, let list = try? JSONDecoder().decode(ModelList.self, from: Data(body.readableBytesView)) else { return [] }
            return list.data.map(\.id)
        case 404:
            return []
        default:
            let failure = UpstreamFailure.error(status: response.status.code, headers: response.headers, body: body, provider: provider)
            throw RelayError.invalidParam("credentials", "The credentials were not accepted: \(failure.message)")
        }
    }

    private struct ModelList: Decodable {
        struct Model: Decodable { let id: String }
        let data: [Model]
    }
}

extension AsyncThrowingStream where Failure == any Error {
    /// A stream fed by `produce` in a task of its own, which is cancelled when the consumer stops listening; a throw
    /// ends the stream with that error.
    public static func producing(_ produce: @escaping @Sendable (Continuation) async throws -> Void) -> Self {
        let (stream, continuation) = Self.makeStream()
        let task = Task {
            do {
                try await produce(continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
