import OpenAPIKit

/// `AppsController`, `AppModelConfigController` and `APIKeysController`: apps, their model configuration, and the
/// app, workspace and dataset API keys.
extension ConsoleAPIDocumentation {
    static let appModes = ["chat", "agent-chat", "advanced-chat", "workflow", "completion"]
    static let appID = OpenAPI.Parameter.pathID("app_id")

    /// `AppModelConfig` as stored and sent back: fields never set are absent.
    static let modelConfig: JSONSchema = .object(
        description: "Dify's `model_config`",
        properties: [
            "model": .object(
                properties: [
                    "provider": .string,
                    "name": .string,
                    "mode": JSONSchema.string.optional,
                    "completion_params": JSONSchema.object.optional,
                ]
            ),
            "pre_prompt": JSONSchema.string.optional,
            "user_input_form": .array(
                required: false,
                items: .object(
                    description: "One key, the field's type (`text-input`, `paragraph`, `select`, `number`, `checkbox`), holding it",
                    minProperties: 1, maxProperties: 1
                )
            ),
            "opening_statement": JSONSchema.string.optional,
            "suggested_questions": .array(required: false, items: .string),
            "suggested_questions_after_answer": .object(required: false, properties: ["enabled": .boolean]),
            "memory": .object(
                required: false,
                properties: ["window": .object(properties: ["enabled": .boolean, "size": JSONSchema.integer.optional])]
            ),
            "agent_mode": .object(
                required: false,
                properties: [
                    "enabled": JSONSchema.boolean.optional,
                    "max_iteration": JSONSchema.integer.optional,
                    "strategy": JSONSchema.string.optional,
                    "tools": .array(required: false, items: .anyValue),
                ]
            ),
            "file_upload": JSONSchema.anyValue.optional,
            "dataset_configs": JSONSchema.anyValue.optional,
        ]
    )

    /// `AppModelConfig` as a request decodes it: `model` required; every other field optional (`null` as absent), each
    /// problem a 400 naming its field.
    static let modelConfigRequest: JSONSchema = {
        let formField: JSONSchema = .object(
            properties: [
                "variable": .string(description: "Unique in the form", pattern: "^[A-Za-z_][A-Za-z0-9_]{0,99}$"),
                "label": DocSchemas.nullableString.optional,
                "required": JSONSchema.boolean.nullable.optional,
                "max_length": .integer(required: false, nullable: true, minimum: (1, exclusive: false)),
                "options": .array(required: false, nullable: true, items: .string),
                "default": JSONSchema.anyValue.optional,
            ]
        )
        return .object(
            properties: [
                "model": .object(
                    properties: [
                        "provider": .string(description: "One of the providers on offer"),
                        "name": .string(description: "A chat model of the provider", minLength: 1),
                        "mode": DocSchemas.nullableString.optional,
                        "completion_params": JSONSchema.object.nullable.optional,
                    ]
                ),
                "pre_prompt": .string(required: false, nullable: true, maxLength: 100_000),
                "user_input_form": .array(
                    required: false, nullable: true,
                    items: .object(
                        description: "One key, the field's type, holding the field; a `select` needs `options`",
                        minProperties: 1, maxProperties: 1,
                        patternProperties: ["^(text-input|paragraph|select|number|checkbox)$": formField],
                        additionalProperties: .a(false)
                    )
                ),
                "opening_statement": DocSchemas.nullableString.optional,
                "suggested_questions": .array(required: false, nullable: true, items: .string),
                "suggested_questions_after_answer": .object(required: false, nullable: true, properties: ["enabled": .boolean]),
                "memory": .object(
                    required: false, nullable: true,
                    properties: [
                        "window": .object(
                            properties: [
                                "enabled": .boolean,
                                "size": .integer(required: false, nullable: true, maximum: (100, exclusive: false), minimum: (1, exclusive: false)),
                            ]
                        )
                    ]
                ),
                "agent_mode": .object(
                    required: false, nullable: true,
                    properties: [
                        "enabled": JSONSchema.boolean.nullable.optional,
                        "max_iteration": .integer(required: false, nullable: true, maximum: (99, exclusive: false), minimum: (1, exclusive: false)),
                        "strategy": DocSchemas.nullableString.optional,
                        "tools": .array(
                            required: false, nullable: true,
                            items: .object(
                                description:
                                    "Dify's `{provider_id, provider_type, tool_name, tool_parameters, enabled}`; `provider_id` (or `provider_name`) and `tool_name` required"
                            )
                        ),
                    ]
                ),
                "file_upload": JSONSchema.anyValue.optional,
                "dataset_configs": JSONSchema.anyValue.optional.with(
                    description: "`{retrieval_model, top_k (1 to 100), score_threshold, datasets: {datasets: [{dataset: {enabled, id}}]}}`"
                ),
            ]
        )
    }()

    /// `AppsController.AppBody`.
    static let app: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "name": .string,
            "mode": DocSchemas.enumeration(appModes),
            "icon_type": DocSchemas.enumeration(["image", "emoji"]),
            "icon": .string,
            "icon_background": .string,
            "description": .string,
            "enable_site": .boolean,
            "enable_api": .boolean,
            "api_rpm": .integer(description: "Requests per minute through the Public API; 0 for no limit"),
            "api_rph": .integer(description: "Requests per hour through the Public API; 0 for no limit"),
            "is_demo": .boolean,
            "model_config": .one(
                of: [modelConfig, .null()],
                core: .init(description: "The model configuration; `null` in lists, in the answer to a change, and before one is saved")
            ),
            "created_by": JSONSchema.uuid.optional.with(description: "The creator's account id; absent when unknown"),
            "created_at": .timestamp,
            "updated_at": .timestamp,
        ]
    )

    static var apps: [DocumentedOperation] {
        let tag = "Apps"
        let icon = JSONSchema.string(required: false, nullable: true, description: "An emoji, or an image's URL", minLength: 1, maxLength: 255)
        let color = JSONSchema.string(
            required: false, nullable: true, description: "A hex colour such as `#FFEAD5`", pattern: "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$"
        )
        let rate = JSONSchema.integer(
            required: false, nullable: true, description: "0 for no limit", maximum: (1_000_000_000, exclusive: false),
            minimum: (0, exclusive: false)
        )
        return [
            operation(
                .get, "/apps", id: "apps.list", summary: "List the workspace's apps", tag: tag,
                parameters: [
                    DocSchemas.page, DocSchemas.limit(max: 100, default: 30),
                    .query("name", description: "Only apps whose name contains it"),
                    .query(
                        "mode", DocSchemas.enumeration(appModes + ["all", ""]), description: "Only apps of this mode (`all` or empty: every mode)"),
                ],
                responses: [
                    200: .json(
                        "A page of apps",
                        .object(
                            properties: [
                                "data": .array(items: app), "total": .integer, "page": .integer, "limit": .integer, "has_more": .boolean,
                            ]
                        )
                    )
                ],
                errors: [400]
            ),
            operation(
                .post, "/apps", id: "apps.create", summary: "Create an app",
                description: "Editors and up; 403 when the plan allows no more apps", tag: tag,
                body: jsonBody(
                    .object(
                        properties: [
                            "name": DocSchemas.text(max: 40, description: "Unique in the workspace"),
                            "mode": DocSchemas.enumeration(appModes),
                            "description": .string(required: false, nullable: true, maxLength: 200),
                            "icon": icon,
                            "icon_background": color,
                        ]
                    )
                ),
                responses: [201: .json("The new app", app)]
            ),
            operation(
                .get, "/apps/{app_id}", id: "apps.get", summary: "One app, with its model configuration", tag: tag, parameters: [appID],
                responses: [200: .json("The app", app)], errors: [404]
            ),
            operation(
                .put, "/apps/{app_id}", id: "apps.update", summary: "Change an app",
                description: "Editors and up; only the fields sent change", tag: tag, parameters: [appID],
                body: jsonBody(
                    .object(
                        properties: [
                            "name": DocSchemas.text(max: 40).nullable.optional,
                            "description": .string(required: false, nullable: true, maxLength: 200),
                            "icon": icon,
                            "icon_background": color,
                            "enable_site": JSONSchema.boolean.nullable.optional,
                            "enable_api": JSONSchema.boolean.nullable.optional,
                            "api_rpm": rate,
                            "api_rph": rate,
                        ]
                    )
                ),
                responses: [200: .json("The app as changed (`model_config` is `null` here)", app)], errors: [404]
            ),
            operation(
                .delete, "/apps/{app_id}", id: "apps.delete", summary: "Delete an app", description: "Editors and up", tag: tag,
                parameters: [appID], responses: [200: .json("Deleted", DocSchemas.success)], errors: [404]
            ),
        ]
    }

    static var appModelConfig: [DocumentedOperation] {
        let tag = "Apps"
        return [
            operation(
                .get, "/apps/{app_id}/model-config", id: "apps.modelConfig.get", summary: "An app's model configuration", tag: tag,
                parameters: [appID], responses: [200: .json("The configuration", modelConfig)],
                errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/model-config", id: "apps.modelConfig.save",
                summary: "Save the model configuration of a chat, agent-chat or completion app",
                description: "Editors and up; checked against the providers on offer, each problem a 400 naming its field", tag: tag,
                parameters: [appID], body: jsonBody(modelConfigRequest), responses: [200: .json("Saved", DocSchemas.success)],
                errors: [404]
            ),
        ]
    }

    /// `APIKeysController.KeyBody`: `token` is the masked hint, except in the answer to its creation.
    static let apiKey: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "type": DocSchemas.enumeration(["app", "workspace", "dataset"]),
            "token": .string(description: "The key itself in the answer to its creation (shown only then); its masked hint otherwise"),
            "name": JSONSchema.string.optional.with(description: "A workspace key's name; absent for other keys"),
            "permissions": .array(
                required: false, description: "A workspace key's permissions; absent for other keys",
                items: DocSchemas.enumeration(["chat", "completion", "workflow", "dataset"])
            ),
            "app_id": JSONSchema.uuid.optional.with(description: "An app key's app; absent for other keys"),
            "last_used_at": JSONSchema.timestamp.optional.with(description: "Absent until first used"),
            "created_at": .timestamp,
        ]
    )

    static var apiKeys: [DocumentedOperation] {
        let tag = "API keys"
        let keyList: JSONSchema = .object(properties: ["data": .array(items: apiKey)])
        let keyID = OpenAPI.Parameter.pathID("api_key_id")
        var operations = [
            operation(
                .get, "/apps/{app_id}/api-keys", id: "apiKeys.app.list", summary: "An app's keys", tag: tag, parameters: [appID],
                responses: [200: .json("Its keys, masked", keyList)], errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/api-keys", id: "apiKeys.app.create", summary: "Issue a key for an app",
                description: "Editors and up; 400 `invalid_param` when the app has as many keys as allowed (10)", tag: tag,
                parameters: [appID],
                responses: [201: .json("The new key, in full this once", apiKey)], errors: [404]
            ),
            operation(
                .delete, "/apps/{app_id}/api-keys/{api_key_id}", id: "apiKeys.app.revoke", summary: "Revoke an app's key", tag: tag,
                parameters: [appID, keyID], responses: [204: .noContent()], errors: [404]
            ),
            operation(
                .get, "/api-keys", id: "apiKeys.workspace.list", summary: "The workspace keys (`ws-…`)", tag: tag,
                responses: [200: .json("The workspace keys, masked", keyList)]
            ),
            operation(
                .post, "/api-keys", id: "apiKeys.workspace.create", summary: "Issue a workspace key with permissions",
                description: "Admins and owners; 400 `invalid_param` when the workspace has as many as allowed (10)", tag: tag,
                body: jsonBody(
                    .object(
                        properties: [
                            "name": DocSchemas.text(max: 100),
                            "permissions": .array(minItems: 1, items: DocSchemas.enumeration(["chat", "completion", "workflow", "dataset"])),
                        ]
                    )
                ),
                responses: [201: .json("The new key, in full this once", apiKey)]
            ),
            operation(
                .delete, "/api-keys/{api_key_id}", id: "apiKeys.workspace.revoke", summary: "Revoke a workspace key", tag: tag,
                parameters: [keyID], responses: [204: .noContent()], errors: [404]
            ),
        ]
        // Dify's `/datasets/api-keys`, also under each dataset: the keys are the workspace's either way.
        for (path, idPart, parameters) in [
            ("/datasets/api-keys", "dataset", [OpenAPI.Parameter]()),
            ("/datasets/{dataset_id}/api-keys", "datasetScoped", [KnowledgeAPIDocumentation.datasetIDParameter]),
        ] {
            let scoped = !parameters.isEmpty
            let note = scoped ? "The workspace's dataset keys (the dataset must be one the caller sees)" : "The workspace's dataset keys"
            operations += [
                operation(
                    .get, path, id: "apiKeys.\(idPart).list", summary: "List dataset keys (`ds-…`)", description: note, tag: tag,
                    parameters: parameters, responses: [200: .json("The dataset keys, masked", keyList)], errors: scoped ? [404] : []
                ),
                operation(
                    .post, path, id: "apiKeys.\(idPart).create", summary: "Issue a dataset key",
                    description: note + "; editors and up; 400 `invalid_param` when the workspace has as many as allowed (10)",
                    tag: tag, parameters: parameters, responses: [201: .json("The new key, in full this once", apiKey)],
                    errors: scoped ? [400, 404] : [400]
                ),
                operation(
                    .delete, path + "/{api_key_id}", id: "apiKeys.\(idPart).revoke", summary: "Revoke a dataset key", description: note,
                    tag: tag, parameters: parameters + [keyID], responses: [204: .noContent()], errors: [404]
                ),
            ]
        }
        return operations
    }
}
