import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `http-request`: a request built from the node's method, URL, headers, params, body and auth (each with
/// `{{#node.variable#}}` references filled in). Private, loopback and link-local targets are refused unless the operator
/// allows them, at every redirect; the response is capped in size; the node gives `status_code`, `body`, `headers`.
struct HTTPRequestStep: WorkflowStep {
    static let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
    static let maxRedirects = 3

    let method: String
    let url: String
    let headers: String
    let params: String
    let bodyType: String
    /// `key: value` pairs of a form body, or the one text of a json or raw-text body.
    let bodyItems: [(key: String, value: String)]
    let bodyText: String
    let authorization: JSONValue
    let timeout: Duration

    init(_ configuration: inout NodeConfiguration) {
        let method = (configuration["method"].string ?? "").lowercased()
        if !Self.methods.contains(method) {
            configuration.problem("method", "method must be one of \(Self.methods.sorted().joined(separator: ", "))")
        }
        self.method = method
        url = configuration.string("url") ?? ""
        headers = configuration["headers"].string ?? ""
        params = configuration["params"].string ?? ""
        let body = configuration["body"]
        bodyType = body["type"].string ?? "none"
        if !["none", "json", "raw-text", "form-data", "x-www-form-urlencoded"].contains(bodyType) {
            configuration.problem("body.type", "body.type must be none, json, raw-text, form-data or x-www-form-urlencoded")
        }
        if case .string(let text) = body["data"] {
            bodyText = text
            bodyItems = []
        } else {
            let items = body["data"].array
            bodyText = items.first?["value"].string ?? ""
            bodyItems = items.compactMap { item in item["key"].string.map { ($0, item["value"].string ?? "") } }
        }
        authorization = configuration["authorization"]
        let limits = configuration["timeout"]
        let seconds = [limits["connect"], limits["read"], limits["write"]].compactMap(\.number).reduce(0, +)
        // Bounded before it becomes a Duration: a number beyond any sensible timeout is the server's maximum.
        timeout = seconds > 0 && seconds.isFinite ? .milliseconds(Int64(min(seconds, 3600) * 1000)) : .seconds(60)
    }

    var callsOut: Bool { true }

    var outputs: [String: WorkflowValueType]? { ["status_code": .number, "body": .string, "headers": .object, "files": .arrayOfAny] }

    var reads: [(field: String, selector: [String])] {
        let texts: [(String, String)] =
            [("url", url), ("headers", headers), ("params", params), ("body", bodyText)]
            + bodyItems.map { ("body", $0.value) } + [("authorization", authorization["config"]["api_key"].string ?? "")]
        return texts.flatMap { field, text in VariableReference.all(in: text).map { (field, $0.selector) } }
    }

    func run(_ context: StepContext) async throws -> StepResult {
        let settings = context.run.services.http
        let pool = context.pool
        var location = pool.render(url)
        // Lines are split before variables are filled in, so a value from a run's inputs cannot add a parameter or header.
        let query = Self.pairs(params).map { (key: pool.render($0.key), value: pool.render($0.value)) }
        if !query.isEmpty, var components = URLComponents(string: location) {
            components.queryItems = (components.queryItems ?? []) + query.map { URLQueryItem(name: $0.key, value: $0.value) }
            location = components.string ?? location
        }
        var fields = HTTPHeaders()
        for (name, value) in Self.pairs(headers).map({ (pool.render($0.key), pool.render($0.value)) }) {
            try Self.checkField(name, value)
            fields.add(name: name, value: value)
        }
        try addAuthorization(to: &fields, pool: pool)
        var body: String?
        switch bodyType {
        case "json":
            body = pool.render(bodyText)
            if !fields.contains(name: "Content-Type") { fields.add(name: "Content-Type", value: "application/json") }
        case "raw-text":
            body = pool.render(bodyText)
            if !fields.contains(name: "Content-Type") { fields.add(name: "Content-Type", value: "text/plain") }
        case "x-www-form-urlencoded", "form-data":
            var components = URLComponents()
            components.queryItems = bodyItems.map { URLQueryItem(name: $0.key, value: pool.render($0.value)) }
            body = components.percentEncodedQuery ?? ""
            fields.replaceOrAdd(name: "Content-Type", value: "application/x-www-form-urlencoded")
        default:
            body = nil
        }
        let inputs: [String: JSONValue] = [
            "method": .string(method.uppercased()), "url": .string(location), "body": body.map(JSONValue.string) ?? .null,
        ]
        let deadline = min(timeout, settings.maxTimeout)

        for _ in 0...Self.maxRedirects {
            guard let target = URL(string: location), target.scheme == "http" || target.scheme == "https", let host = target.host, !host.isEmpty
            else {
                throw RelayError(.workflowNodeFailed, "The request URL must be an http(s) URL, not '\(location)'")
            }
            do {
                try await DestinationPolicy(allowsPrivate: settings.allowsPrivateTargets)
                    .check(host: host, port: target.port ?? (target.scheme == "https" ? 443 : 80), field: "url")
            } catch let error as RelayError {
                throw RelayError(.workflowNodeFailed, "The request was refused: \(error.message)")
            }
            var request = HTTPClientRequest(url: location)
            request.method = HTTPMethod(rawValue: method.uppercased())
            request.headers = fields
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response: HTTPClientResponse
            do {
                response = try await settings.client.execute(request, timeout: UpstreamClient.timeAmount(deadline))
            } catch {
                if Task.isCancelled { throw CancellationError() }
                throw RelayError(.workflowNodeFailed, "The request to \(host) failed: \(UpstreamFailure.describe(error))")
            }
            if [301, 302, 303, 307, 308].contains(response.status.code), let next = response.headers.first(name: "location"),
                let resolved = URL(string: next, relativeTo: target)
            {
                location = resolved.absoluteString
                continue
            }
            let collected: ByteBuffer
            do {
                collected = try await response.body.collect(upTo: settings.maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw RelayError(.workflowNodeFailed, "The response is larger than \(settings.maxResponseBytes) bytes")
            }
            var headers: [String: JSONValue] = [:]
            for field in response.headers { headers[field.name.lowercased()] = .string(field.value) }
            return StepResult(
                inputs: inputs,
                outputs: [
                    "status_code": .number(Double(response.status.code)), "body": .string(String(buffer: collected)),
                    "headers": .object(headers), "files": [],
                ]
            )
        }
        throw RelayError(.workflowNodeFailed, "The request was redirected more than \(Self.maxRedirects) times")
    }

    private func addAuthorization(to fields: inout HTTPHeaders, pool: VariablePool) throws {
        guard authorization["type"].string == "api-key" else { return }
        let config = authorization["config"]
        let key = pool.render(config["api_key"].string ?? "")
        let (name, value): (String, String) =
            switch config["type"].string ?? "bearer" {
            case "basic": ("Authorization", "Basic \(key)")
            case "custom": (config["header"].string ?? "Authorization", key)
            default: ("Authorization", "Bearer \(key)")
            }
        try Self.checkField(name, value)
        fields.replaceOrAdd(name: name, value: value)
    }

    /// A header the node may send: a name of RFC 9110 token characters (NIO traps on any other), a value with no line
    /// break or NUL (which would split the request).
    static func checkField(_ name: String, _ value: String) throws {
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        guard !name.isEmpty, name.utf8.allSatisfy(token.contains) else {
            throw RelayError(.workflowNodeFailed, "'\(name)' is not a valid header name: use letters, digits and !#$%&'*+-.^_`|~")
        }
        guard !value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
            throw RelayError(.workflowNodeFailed, "The value of the header '\(name)' may not contain a line break")
        }
    }

    /// Dify's `key:value` lines.
    static func pairs(_ text: String) -> [(key: String, value: String)] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            return key.isEmpty ? nil : (key, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}
