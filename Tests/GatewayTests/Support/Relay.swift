import Core
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelayTestSupport
import Testing

/// A fresh data directory for one test, with a fresh database of the run's engine, both removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-test-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await TestDatabase.withFresh(in: directory) { _ in try await body(directory) }
}

extension RelayConfiguration {
    static func testing(dataDirectory: URL) -> RelayConfiguration {
        var configuration = RelayConfiguration()
        configuration.dataDirectory = dataDirectory
        configuration.port = 0
        configuration.passwordHashCost = 4
        configuration.logLevel = .warning
        configuration.adminKey = RelayClient.adminKey
        // Plugin tests opt in (`usePlugins()`); the rest start without packing the repository's plugins.
        configuration.builtInPluginsDirectory = nil
        // One job worker per test server (two by default): fewer idle polls and connections while dozens of servers run.
        configuration.jobs.concurrency = 1
        // The stub model servers listen on loopback; the tests of the refusal turn this off again.
        configuration.upstream.allowsPrivateEndpoints = true
        // Instances sharing PostgreSQL share one secret; on SQLite the generated one is part of what is tested.
        if TestDatabase.isPostgres { configuration.secretKey = TestDatabase.secretKey }
        return configuration
    }
}

/// Runs the whole server (a fresh database of the run's engine, real HTTP on a loopback port) for the duration of `body`.
func withRelay<T: Sendable>(
    clock: TestClock = TestClock(),
    dataDirectory: URL? = nil,
    configure: (inout RelayConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (RelayClient) async throws -> T
) async throws -> T {
    if let dataDirectory {
        return try await runRelay(clock: clock, dataDirectory: dataDirectory, configure: configure, body)
    }
    return try await withTemporaryDirectory { directory in
        try await runRelay(clock: clock, dataDirectory: directory, configure: configure, body)
    }
}

private func runRelay<T: Sendable>(
    clock: TestClock, dataDirectory: URL, configure: (inout RelayConfiguration) -> Void,
    _ body: @escaping @Sendable (RelayClient) async throws -> T
) async throws -> T {
    // Servers started on one data directory share its database.
    if let database = TestDatabase.database(of: dataDirectory) {
        return try await run(on: database)
    }
    return try await TestDatabase.withFresh(in: dataDirectory, run)

    func run(on database: DatabaseLocation) async throws -> T {
        var configuration = RelayConfiguration.testing(dataDirectory: dataDirectory)
        configuration.database = database
        configure(&configuration)
        let app = try await buildApplication(configuration, now: { clock.now })
        return try await app.test(.live) { client in try await body(RelayClient(client: client, clock: clock, database: database)) }
    }
}

/// A response with its body parsed as JSON when it is JSON.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer
    let json: JSONValue

    var code: String? { json["code"].string }
    var message: String? { json["message"].string }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// Speaks JSON to the server under test, as a client of the API would.
struct RelayClient: Sendable {
    let client: any TestClientProtocol
    let clock: TestClock
    /// The database the server under test runs on.
    let database: DatabaseLocation

    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil, raw: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> Reply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONEncoder().encode(json))
            headers[.contentType] = "application/json"
        } else if let raw {
            body = ByteBuffer(string: raw)
            headers[.contentType] = "application/json"
        }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        let data = Data(buffer: response.body)
        let parsed = (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null
        return Reply(status: response.status, headers: response.headers, body: response.body, json: parsed)
    }

    func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.get, path, token: token, headers: headers)
    }

    func post(_ path: String, token: String? = nil, json: JSONValue? = nil, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.post, path, token: token, json: json, headers: headers)
    }
}

extension RelayClient {
    /// Sends `count` requests at once, each on its own connection, and returns their replies.
    func concurrently(
        _ count: Int, _ method: HTTPRequest.Method = .get, _ path: String, token: String?, json: JSONValue? = nil
    ) async throws
        -> [Reply]
    {
        let port = try #require(client.port)
        return try await Self.concurrently(count, method, path, port: port, token: token, json: json)
    }

    /// The same against any relay listening on `port`.
    static func concurrently(
        _ count: Int, _ method: HTTPRequest.Method = .get, _ path: String, port: Int, token: String?, json: JSONValue? = nil
    ) async throws -> [Reply] {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        fields[.contentType] = "application/json"
        let headers = fields
        let body = try json.map { ByteBuffer(bytes: try JSONEncoder().encode($0)) }
        return try await withThrowingTaskGroup(of: Reply.self) { group in
            for _ in 0..<count {
                group.addTask {
                    // A minute, not the client's 15 s: the PostgreSQL run starts dozens of servers and databases at once.
                    try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) { client in
                        let response = try await client.execute(.init(path, method: method, headers: headers, body: body))
                        let buffer = response.body ?? ByteBuffer()
                        let parsed = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer))) ?? .null
                        return Reply(status: response.status, headers: response.headers, body: buffer, json: parsed)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}
