import Core
import Foundation
import Gateway
import Testing

extension RelayConfiguration {
    /// Quick to retry, for the dataset tests (a job queued here wakes this server's worker at once; the poll, every
    /// second, finds those queued by other servers).
    mutating func forDatasetTests() {
        forChatTests()
        jobs.retryBackoff = .milliseconds(100)
    }
}

extension RelayClient {
    /// Creates a dataset through `path` (the console's or the knowledge API's) and returns its id.
    func createDataset(
        _ name: String, technique: String = "economy", model: String? = nil, permission: String = "only_me", token: String,
        prefix: String = "/console/api", extra: [String: JSONValue] = [:]
    ) async throws -> String {
        var body: [String: JSONValue] = ["name": .string(name), "indexing_technique": .string(technique), "permission": .string(permission)]
        if let model {
            body["embedding_model_provider"] = "openai_api_compatible"
            body["embedding_model"] = .string(model)
        }
        body.merge(extra) { $1 }
        let reply = try await post("\(prefix)/datasets", token: token, json: .object(body))
        // Dify's console answers 201, its knowledge API 200.
        try #require(reply.status == (prefix.hasPrefix("/console") ? .created : .ok), "create dataset: \(reply.json)")
        return try #require(reply.json["id"].string)
    }

    /// Adds a document by text; returns its id and batch.
    func addText(
        _ text: String, name: String = "notes.txt", to dataset: String, token: String, prefix: String = "/console/api", rule: JSONValue? = nil
    ) async throws -> (document: String, batch: String) {
        var body: [String: JSONValue] = ["name": .string(name), "text": .string(text)]
        if let rule { body["process_rule"] = rule }
        let reply = try await post("\(prefix)/datasets/\(dataset)/document/create-by-text", token: token, json: .object(body))
        try #require(reply.status == .ok, "create by text: \(reply.json)")
        return (try #require(reply.json["document"]["id"].string), try #require(reply.json["batch"].string))
    }

    /// Polls the batch's indexing status until every document ended (completed, error or paused) and returns them.
    func waitIndexed(
        _ batch: String, in dataset: String, token: String, prefix: String = "/console/api", seconds: Double = 30
    ) async throws -> [JSONValue] {
        let deadline = Date() + seconds
        var last: JSONValue = .null
        while Date() < deadline {
            let reply = try await get("\(prefix)/datasets/\(dataset)/documents/\(batch)/indexing-status", token: token)
            try #require(reply.status == .ok, "indexing status: \(reply.json)")
            last = reply.json
            let items = reply.json["data"].array
            if !items.isEmpty, items.allSatisfy({ ["completed", "error", "paused"].contains($0["indexing_status"].string ?? "") }) { return items }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("batch \(batch) did not finish indexing within \(seconds) s: \(last)")
        throw CancellationError()
    }

    /// Retrieval through `path` with the given `retrieval_model`.
    func retrieve(_ query: String, from dataset: String, token: String, prefix: String = "/console/api", model: JSONValue = [:]) async throws -> Reply
    {
        try await post("\(prefix)/datasets/\(dataset)/retrieve", token: token, json: ["query": .string(query), "retrieval_model": model])
    }

    /// A dataset key of the owner's workspace.
    func datasetKey(as owner: Owner) async throws -> String {
        let reply = try await post("/console/api/datasets/api-keys", token: owner.token)
        try #require(reply.status == .created, "dataset key: \(reply.json)")
        return try #require(reply.json["token"].string)
    }
}

/// Test documents in the binary formats, made from known text.
enum TestDocuments {
    /// A one-page PDF showing each of `lines` (ASCII) in Helvetica, with a correct cross-reference table.
    static func pdf(_ lines: [String]) -> [UInt8] {
        var stream = "BT /F1 12 Tf 72 720 Td 14 TL\n"
        for line in lines {
            let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(
                of: ")", with: "\\)")
            stream += "(\(escaped)) Tj T*\n"
        }
        stream += "ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(pdf.utf8)
    }
}
