import Core
import OpenAPIKit

/// `ModelProvidersController`: model providers, their credentials and the default models.
///
/// A plugin's provider id is `author/plugin/provider`, slashes and all: the router takes it with `**`
/// (`model-providers/**/credentials`), documented here as `{provider}` (its slashes percent-encoded, or sent as they are).
extension ConsoleAPIDocumentation {
    static let modelTypes = ModelType.allCases.map(\.rawValue)
    static let providerStatuses = ["no-configure", "quota-exceeded", "active"]

    /// The provider id path parameter of the catch-all routes.
    static func providerParameter(_ kind: String) -> OpenAPI.Parameter {
        .path(
            name: "provider", schema: .string(minLength: 1),
            description: "The \(kind) provider's id; a plugin's is `author/plugin/provider` (each `/` as `%2F`, or sent as it is)"
        )
    }

    /// `ModelProvidersController.body`: a provider in the seed's shape, with Dify's credential form.
    static let modelProvider: JSONSchema = .object(
        properties: [
            "provider": .string,
            "label": DocSchemas.localized,
            "icon_small": DocSchemas.localized,
            "icon_large": DocSchemas.localized,
            "status": DocSchemas.enumeration(providerStatuses),
            "supported_model_types": .array(items: DocSchemas.enumeration(modelTypes)),
            "configurate_methods": .array(items: DocSchemas.enumeration(["customizable-model", "predefined-model"])),
            "provider_credential_schema": .object(
                properties: [
                    "credential_form_schemas": .array(
                        items: .object(
                            properties: [
                                "variable": .string,
                                "label": DocSchemas.localized,
                                "type": DocSchemas.enumeration(["secret-input", "text-input"]),
                                "required": .boolean,
                            ]
                        )
                    )
                ]
            ),
            "models": .array(
                items: .object(
                    properties: [
                        "model": .string,
                        "label": DocSchemas.localized,
                        "model_type": DocSchemas.enumeration(modelTypes),
                        "features": .array(items: .string),
                        "model_properties": .object(
                            properties: ["context_size": .integer, "max_chunks": .integer, "file_upload_limit": .integer]
                        ),
                        "fetch_from": DocSchemas.enumeration(["customizable-model", "predefined-model"]),
                        "status": DocSchemas.enumeration(providerStatuses),
                        "pricing": .object(
                            properties: ["input": .string, "output": .string, "unit": .string, "currency": .string]
                        ),
                    ]
                )
            ),
        ]
    )

    /// `{"credentials": {name: masked value} | null}`.
    static let maskedCredentials: JSONSchema = .object(
        properties: [
            "credentials": .object(
                nullable: true, description: "Each credential, secrets masked; `null` when none are saved",
                additionalProperties: .b(.string)
            )
        ]
    )

    static let credentialsBody: OpenAPI.Request = jsonBody(
        .object(properties: ["credentials": .object(description: "The provider's credential fields", additionalProperties: .b(.string))])
    )

    static var modelProviders: [DocumentedOperation] {
        let tag = "Model providers"
        let path = "/workspaces/current/model-providers/{provider}/credentials"
        let upstream = "The credentials are checked with the provider first: a refusal or failure answers 400, or through a plugin 502, 503 or 504"
        return [
            operation(
                .get, "/workspaces/current/model-providers", id: "modelProviders.list",
                summary: "The model providers on offer, and which are configured", tag: tag,
                responses: [200: .json("Every provider", .object(properties: ["data": .array(items: modelProvider)]))]
            ),
            operation(
                .get, path, id: "modelProviders.credentials.get", summary: "A provider's saved credentials, masked", tag: tag,
                parameters: [providerParameter("model")], responses: [200: .json("The credentials", maskedCredentials)],
                errors: [404]
            ),
            operation(
                .post, path, id: "modelProviders.credentials.save", summary: "Save a provider's credentials",
                description: "Admins and owners. " + upstream, tag: tag, parameters: [providerParameter("model")], body: credentialsBody,
                responses: [200: .json("Saved", DocSchemas.success)], errors: [404, 502, 504]
            ),
            operation(
                .delete, path, id: "modelProviders.credentials.delete", summary: "Delete a provider's credentials",
                description: "Admins and owners", tag: tag, parameters: [providerParameter("model")],
                responses: [204: .noContent()], errors: [404]
            ),
            operation(
                .get, "/workspaces/current/default-model", id: "modelProviders.defaultModel.get",
                summary: "The workspace's default model of a type", tag: tag,
                parameters: [.query("model_type", DocSchemas.enumeration(modelTypes), description: "Default `llm`")],
                responses: [
                    200: .json(
                        "The default model, or `null` when none is set",
                        .object(
                            properties: [
                                "data": .object(
                                    nullable: true,
                                    properties: [
                                        "model": .string,
                                        "model_type": DocSchemas.enumeration(modelTypes),
                                        "provider": .object(properties: ["provider": .string, "label": DocSchemas.localized]),
                                    ]
                                )
                            ]
                        )
                    )
                ],
                errors: [400]
            ),
            operation(
                .post, "/workspaces/current/default-model", id: "modelProviders.defaultModel.set",
                summary: "Set the workspace's default model of each type given",
                description: "Admins and owners; each model must be one the workspace can use (400 otherwise)", tag: tag,
                body: jsonBody(
                    .object(
                        properties: [
                            "model_settings": .array(
                                items: .object(
                                    properties: [
                                        "model_type": DocSchemas.enumeration(modelTypes),
                                        "provider": .string(description: "Required, though Dify's schema allows null", minLength: 1),
                                        "model": .string(description: "Required, though Dify's schema allows null", minLength: 1),
                                    ]
                                )
                            )
                        ]
                    )
                ),
                responses: [200: .json("Set", DocSchemas.success)], errors: [404]
            ),
        ]
    }
}
