import AsyncHTTPClient
import Foundation
import MultipartKit
import NIOCore
import NIOHTTP1

/// OpenAI's moderation and audio calls, which OpenAI-compatible servers (vLLM, LocalAI, Xinference…) serve too:
/// `POST /moderations`, `POST /audio/transcriptions` (multipart) and `POST /audio/speech` (streamed audio).
extension OpenAICompatibleProvider {
    func moderate(_ text: String, model: String, credentials: [String: String]) async throws -> Bool {
        var request = try jsonRequest("/moderations", credentials)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(["model": model, "input": text])))
        let answer = try await collect(request, upTo: 1 << 20)
        guard let decoded = try? JSONDecoder().decode(ModerationAnswer.self, from: answer) else {
            throw RelayError(.completionRequestError, "The \(descriptor.id) upstream answered the moderation call with something else than results")
        }
        return decoded.results.contains { $0.flagged }
    }

    func transcribe(_ audio: Data, fileName: String, mimeType: String, model: String, credentials: [String: String]) async throws -> String {
        let boundary = "relay-" + UUID().uuidString.lowercased()
        var headers = HTTPHeaders()
        // The file name is the caller's: quotes and line breaks cannot reach the part's header.
        let safeName = String(fileName.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\r" && $0 != "\n" && $0 != "\\" })
        headers.add(name: "Content-Disposition", value: "form-data; name=\"file\"; filename=\"\(safeName.isEmpty ? "audio" : safeName)\"")
        headers.add(name: "Content-Type", value: mimeType)
        var modelHeaders = HTTPHeaders()
        modelHeaders.add(name: "Content-Disposition", value: "form-data; name=\"model\"")
        var body = ByteBuffer()
        try MultipartSerializer().serialize(
            parts: [MultipartPart(headers: modelHeaders, body: model), MultipartPart(headers: headers, body: ByteBuffer(bytes: audio))],
            boundary: boundary, into: &body)
        var request = HTTPClientRequest(url: try base(credentials) + "/audio/transcriptions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        authorize(&request, credentials)
        request.body = .bytes(body)
        let answer = try await collect(request, upTo: 4 << 20)
        guard let decoded = try? JSONDecoder().decode(TranscriptionAnswer.self, from: answer) else {
            throw RelayError(.completionRequestError, "The \(descriptor.id) upstream answered the transcription with something else than text")
        }
        return decoded.text
    }

    func speak(_ text: String, voice: String, model: String, credentials: [String: String]) async throws -> SpokenAudio {
        var request = try jsonRequest("/audio/speech", credentials)
        request.body = .bytes(
            ByteBuffer(bytes: try JSONEncoder().encode(["model": model, "input": text, "voice": voice, "response_format": "mp3"])))
        let response = try await client.send(request, provider: descriptor.id)
        let mimeType = response.headers.first(name: "Content-Type").flatMap { $0.hasPrefix("audio/") ? $0 : nil } ?? "audio/mpeg"
        let provider = descriptor.id
        let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let forwarding = Task {
                do {
                    for try await buffer in response.body { continuation.yield(Array(buffer.readableBytesView)) }
                    continuation.finish()
                } catch {
                    continuation.finish(
                        throwing: RelayError(
                            .completionRequestError, "The \(provider) upstream failed mid-answer: \(UpstreamFailure.describe(error))"))
                }
            }
            continuation.onTermination = { _ in forwarding.cancel() }
        }
        return SpokenAudio(mimeType: mimeType, chunks: chunks)
    }

    private func jsonRequest(_ path: String, _ credentials: [String: String]) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: try base(credentials) + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        authorize(&request, credentials)
        return request
    }

    private func collect(_ request: HTTPClientRequest, upTo limit: Int) async throws -> Data {
        let response = try await client.send(request, provider: descriptor.id)
        do {
            return Data(try await response.body.collect(upTo: limit).readableBytesView)
        } catch {
            throw RelayError(.completionRequestError, "The \(descriptor.id) upstream failed mid-answer: \(UpstreamFailure.describe(error))")
        }
    }

    private struct ModerationAnswer: Decodable {
        struct Result: Decodable { let flagged: Bool }
        let results: [Result]
    }

    private struct TranscriptionAnswer: Decodable {
        let text: String
    }
}
