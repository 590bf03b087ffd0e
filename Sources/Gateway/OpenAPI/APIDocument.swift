import Foundation
import OpenAPIKit
import Yams

/// The OpenAPI 3.1 document of every route Relay serves, served at `/openapi.json` and `/openapi.yaml`.
///
/// Built from each area's `DocumentedOperation`s; `OpenAPITests` fails when it and the router disagree.
enum APIDocument {
    static var version: String { HealthController.version }

    /// Every documented operation, all areas together.
    static var operations: [DocumentedOperation] {
        PublicAPIDocumentation.operations + OperatorAPIDocumentation.operations + ConsoleAPIDocumentation.operations
            + KnowledgeAPIDocumentation.operations
    }

    static func document(operations: [DocumentedOperation] = operations) -> OpenAPI.Document {
        var paths: OpenAPI.PathItem.Map = [:]
        for documented in operations {
            let path = OpenAPI.Path(rawValue: documented.path)
            var item = paths[path]?.b ?? OpenAPI.PathItem()
            item.set(documented.operation, for: documented.method)
            paths[path] = .b(item)
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_1,
            info: OpenAPI.Document.Info(
                title: "Relay",
                description: """
                    Relay serves the Dify backend REST API for many workspaces: the console API (`/console/api`), the \
                    Public API and the knowledge API (both under `/v1` and `/api`), and the operator API (`/admin/api`). \
                    Every error answers with the `Error` body.
                    """,
                version: version
            ),
            servers: [OpenAPI.Server(url: URL(string: "/")!, description: "This Relay")],
            paths: paths,
            components: APIComponents.components
        )
    }

    // The document never changes while Relay runs: it is built and encoded once, on first request.
    static let json: Data = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A document that cannot be encoded is a programming error the tests catch.
        return try! encoder.encode(document())
    }()

    static let yaml: String = {
        try! YAMLEncoder().encode(document())
    }()
}

extension OpenAPI.PathItem {
    /// Sets the operation of `method` (one of the methods Relay serves).
    fileprivate mutating func set(_ operation: OpenAPI.Operation, for method: OpenAPI.HttpMethod) {
        switch method {
        case .get: get(operation)
        case .post: post(operation)
        case .put: put(operation)
        case .patch: patch(operation)
        case .delete: delete(operation)
        case .head: head(operation)
        case .options: options(operation)
        default: preconditionFailure("\(method.rawValue) cannot be documented")
        }
    }
}
