import OpenAPIKit

/// `IndexController`: `GET /v1` and `GET /api`, what the API is, with no key (Dify's index).
extension PublicAPIDocumentation {
    static var indexOperations: [DocumentedOperation] {
        DocumentedOperation.publicPrefixes.map { prefix in
            DocumentedOperation(
                .get, prefix, id: prefix == "/v1" ? "getAPIIndex" : "getAPIIndexViaAPI", summary: "What this API is; no key needed",
                tag: "Server", security: .none,
                responses: [
                    200: .json(
                        "The API's name and versions",
                        .object(
                            properties: [
                                "welcome": .string(allowedValues: "Relay OpenAPI"), "api_version": .string(allowedValues: "v1"),
                                "server_version": .string,
                            ]
                        )
                    )
                ]
            )
        }
    }
}
