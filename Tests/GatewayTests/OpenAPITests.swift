import Core
import Foundation
import Hummingbird
import Logging
import NIOCore
import OpenAPIKit
import Testing
import Yams

@testable import Gateway

@Suite("The OpenAPI document")
struct OpenAPITests {
    @Test("documents every route the router serves, and no other")
    func documentMatchesRouter() async throws {
        let drift = Self.drift(served: try await routerOperations(), documented: APIDocument.operations.map(Self.key))
        #expect(drift.undocumented.isEmpty, "Served but not documented:\n\(drift.undocumented.joined(separator: "\n"))")
        #expect(drift.unserved.isEmpty, "Documented but not served:\n\(drift.unserved.joined(separator: "\n"))")
    }

    @Test("documents each operation once, with a unique operation id")
    func operationsAreUnique() {
        let operations = APIDocument.operations
        let keys = operations.map { "\($0.method.rawValue.uppercased()) \($0.path)" }
        let repeatedKeys = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeatedKeys.isEmpty, "Documented more than once: \(repeatedKeys)")
        let ids = operations.compactMap(\.operation.operationId)
        let repeatedIDs = Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(ids.count == operations.count, "Every operation has an id")
        #expect(repeatedIDs.isEmpty, "Operation ids used more than once: \(repeatedIDs)")
    }

    @Test("every error response is the shared Error body")
    func errorsShareOneBody() throws {
        let document = APIDocument.document()
        for documented in APIDocument.operations {
            for (status, response) in documented.operation.responses {
                guard case .status(let code) = status.value, code >= 400 else { continue }
                let resolved = try document.components.lookup(response)
                #expect(
                    resolved.content[.json]?.contentValue?.schema == APIComponents.errorBody,
                    "\(documented.method.rawValue) \(documented.path) \(code) does not answer with the Error body"
                )
            }
        }
    }

    @Test("is served as valid OpenAPI 3.1 JSON and YAML over HTTP, with the router's paths")
    func servedDocumentIsValid() async throws {
        let served = try await routerOperations()
        try await withRelay { relay in
            let json = try await relay.get("/openapi.json")
            #expect(json.status == .ok)
            #expect(json.header("Content-Type")?.hasPrefix("application/json") == true)
            let yaml = try await relay.get("/openapi.yaml")
            #expect(yaml.status == .ok)
            #expect(yaml.header("Content-Type")?.hasPrefix("application/yaml") == true)

            // OpenAPIKit's decoder spends some 20 s of a debug build's CPU on a document this size, holding a thread of the
            // cooperative pool that every in-process server of the suite needs (the whole suite timed out behind it). So
            // the document is validated as built, and what is served is checked to be exactly its encoding.
            let built = APIDocument.document()
            try built.validate()
            #expect(built.openAPIVersion == .v3_1_1)
            #expect(Data(json.body.readableBytesView) == APIDocument.json)
            let fromJSON = try JSONDecoder().decode(JSONValue.self, from: Data(json.body.readableBytesView))
            // Yams resolves the YAML's scalars (numbers, booleans) as YAML says; the result is compared as JSON.
            let loaded = try #require(try Yams.load(yaml: String(buffer: yaml.body)))
            let fromYAML = try JSONDecoder().decode(JSONValue.self, from: try JSONSerialization.data(withJSONObject: loaded))
            #expect(fromYAML == fromJSON, "the YAML and the JSON documents differ")
            #expect(fromJSON["openapi"].string?.hasPrefix("3.1") == true)

            var documented: [String] = []
            for (path, item) in fromJSON["paths"].object ?? [:] {
                for method in (item.object ?? [:]).keys
                where ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(method) {
                    documented.append("\(method.uppercased()) \(path)")
                }
            }
            let drift = Self.drift(served: served, documented: documented)
            #expect(drift.undocumented.isEmpty && drift.unserved.isEmpty, "Served document and router differ: \(drift)")

            // Unauthenticated, and the same bytes every time.
            let again = try await relay.get("/openapi.json", token: "not-a-key")
            #expect(again.status == .ok && again.body == json.body)
        }
    }

    /// Every route the router serves, as `METHOD /path/{template}`.
    private func routerOperations() async throws -> Set<String> {
        try await withTemporaryDirectory { directory in
            var configuration = RelayConfiguration.testing(dataDirectory: directory)
            configuration.database = .sqlite(directory.appendingPathComponent("routes.sqlite"))
            let logger = Logger(label: "openapi-tests")
            let database = try RelayDatabase.open(configuration.databaseLocation, logger: logger)
            let services = await RelayServices(
                configuration, stores: database.stores, secret: String(repeating: "s", count: 32), logger: logger, now: Date.init
            )
            let router = buildRouter(services)
            // `RouterPath`'s description is already a template: `/v1/conversations/{conversation_id}`.
            return Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        }
    }

    static func key(_ documented: DocumentedOperation) -> String {
        "\(documented.method.rawValue.uppercased()) \(documented.path)"
    }

    /// What the router serves that the document lacks, and what the document has that the router does not serve.
    ///
    /// A route with `**` (a provider id with slashes, `model-providers/**/credentials`) is documented with one or more
    /// path parameters in its place (`{provider}/credentials`, `{provider}/{tool}/invoke`).
    static func drift(served: Set<String>, documented: [String]) -> (undocumented: [String], unserved: [String]) {
        let wildcards = served.filter { $0.contains("/**") }.sorted()
        let exact = served.subtracting(wildcards)
        // `**` as one or more `{name}` segments.
        let parameters = "\\{[^/{}]+\\}(/\\{[^/{}]+\\})*"
        let patterns = wildcards.map { route in
            "^" + route.components(separatedBy: "**").map(NSRegularExpression.escapedPattern(for:)).joined(separator: parameters) + "$"
        }
        let covered = { (pattern: String, key: String) in key.range(of: pattern, options: .regularExpression) != nil }
        let documentedSet = Set(documented)
        let undocumented = exact.subtracting(documentedSet)
            .union(zip(wildcards, patterns).filter { _, pattern in !documented.contains { covered(pattern, $0) } }.map(\.0))
        let unserved = documentedSet.subtracting(exact).filter { key in !patterns.contains { covered($0, key) } }
        return (undocumented.sorted(), unserved.sorted())
    }
}
