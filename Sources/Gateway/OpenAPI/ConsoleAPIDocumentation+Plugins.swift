import OpenAPIKit

/// `PluginsController` and `ToolProvidersController`: the plugin catalogue, uploads, installs and uninstalls, and the
/// tools of the installed plugins (credentials, test calls).
extension ConsoleAPIDocumentation {
    /// `PluginsController.detail`: Dify's `PluginDetail` of an install, with the sandbox its process runs under.
    static let pluginDetail: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "installation_id": .uuid,
            "install_id": .uuid,
            "tenant_id": .uuid,
            "plugin_id": .string,
            "plugin_unique_identifier": .string,
            "name": .string,
            "version": .string,
            "latest_version": .string,
            "latest_unique_identifier": .string,
            "source": .string,
            "declaration": .object(description: "The manifest, with `category`, `tool` (its first tool provider or `null`) and `tool_providers`"),
            "created_at": .string(format: .dateTime),
            "updated_at": .string(format: .dateTime),
            "installed_at": .timestamp,
            "endpoints_setups": .integer,
            "endpoints_active": .integer,
            "meta": .object,
            "status": DocSchemas.enumeration(["active"]),
            "sandbox": .object(
                description: "The sandbox the plugin's process runs (or last ran) under; `level` is `null` before it has run here",
                properties: ["level": DocSchemas.nullableString, "layers": .object(additionalProperties: .b(.boolean))]
            ),
            "runtime": .object(
                properties: ["running": .boolean, "consecutive_failures": .integer, "last_exit": DocSchemas.nullableString]
            ),
        ]
    )

    static var plugins: [DocumentedOperation] {
        let tag = "Plugins"
        let admins = "Admins and owners."
        let catalogueEntry: JSONSchema = .object(
            properties: [
                "plugin_id": .string,
                "plugin_unique_identifier": .string,
                "name": .string,
                "description": .string,
                "version": .string,
                "author": .string,
                "icon": .anyValue,
                "category": .string,
                "tags": .array(items: .anyValue),
                "verified": .boolean,
                "install_count": .integer,
                "installed": .boolean,
                "latest_version": .string,
                "current_version": .string(nullable: true, description: "The installed version; `null` when not installed"),
            ]
        )
        // `page=` and `page_size=` are read as absent (`Request.queryInt`).
        let pageParameter = OpenAPI.Parameter.query(
            "page", .integer(maximum: (Int(Int32.max), exclusive: false), minimum: (1, exclusive: false)), allowsEmpty: true,
            description: "The page, from 1 (default 1); 0 or less is 400"
        )
        return [
            operation(
                .get, "/workspaces/current/plugins", id: "plugins.catalogue",
                summary: "The plugin catalogue: the server's built-in packages and the workspace's uploads", tag: tag,
                parameters: [
                    pageParameter,
                    .query(
                        "page_size", .integer(maximum: (Int(Int32.max), exclusive: false), minimum: (1, exclusive: false)),
                        allowsEmpty: true, description: "Entries per page (default 20; more than 100 is read as 100)"
                    ),
                    .query("category", description: "Only plugins of this category (`tool`, `model`, …)"),
                    .query("search", description: "Only plugins whose id, label or description contains it"),
                ],
                responses: [
                    200: .json("A page of the catalogue", .object(properties: ["plugins": .array(items: catalogueEntry), "total": .integer]))
                ],
                errors: [400]
            ),
            operation(
                .post, "/workspaces/current/plugins/install", id: "plugins.install", summary: "Install a package of the catalogue",
                description: admins + " 400 when installing fails (e.g. its requirements); 503 when it cannot be installed just now",
                tag: tag, body: jsonBody(.object(properties: ["plugin_unique_identifier": .string])),
                responses: [
                    200: .json(
                        "Installed", .object(properties: ["result": DocSchemas.enumeration(["success"]), "plugin": pluginDetail])
                    )
                ],
                errors: [404]
            ),
            operation(
                .get, "/workspaces/current/plugin/list", id: "plugins.installed", summary: "The workspace's installs", tag: tag,
                parameters: [
                    pageParameter,
                    .query(
                        "page_size", .integer(maximum: (Int(Int32.max), exclusive: false), minimum: (1, exclusive: false)),
                        allowsEmpty: true, description: "Installs per page (default 100; more than 256 is read as 256)"
                    ),
                ],
                responses: [
                    200: .json("A page of installs", .object(properties: ["plugins": .array(items: pluginDetail), "total": .integer]))
                ],
                errors: [400]
            ),
            operation(
                .post, "/workspaces/current/plugin/upload/pkg", id: "plugins.upload", summary: "Upload a `.difypkg` package",
                description: admins + " The package is checked (400 `plugin_package_invalid`, naming the file and field); at most 50 MiB (413)",
                tag: tag,
                body: multipartBody(.object(properties: ["pkg": JSONSchema.binaryFile.with(description: "The package (a zip file)")])),
                responses: [
                    200: .json(
                        "Uploaded: install it by its identifier",
                        .object(
                            properties: [
                                "unique_identifier": .string,
                                "manifest": .object(description: "Its declaration, as in `declaration` of an install"),
                            ]
                        )
                    )
                ],
                errors: [400, 413]
            ),
            operation(
                .post, "/workspaces/current/plugin/install/pkg", id: "plugins.installPackages", summary: "Install uploaded packages",
                description: admins + " One after another; the first failure answers", tag: tag,
                body: jsonBody(.object(properties: ["plugin_unique_identifiers": .array(minItems: 1, items: .string)])),
                responses: [
                    200: .json(
                        "All installed",
                        .object(
                            properties: [
                                "all_installed": .boolean, "task_id": .string, "plugins": .array(items: pluginDetail),
                            ]
                        )
                    )
                ],
                errors: [404]
            ),
            operation(
                .post, "/workspaces/current/plugin/uninstall", id: "plugins.uninstall", summary: "Uninstall a plugin",
                description: admins, tag: tag,
                body: jsonBody(.object(properties: ["plugin_installation_id": .string(description: "An install's id (404 for anything else)")])),
                responses: [200: .json("Uninstalled", .object(properties: ["success": .boolean]))], errors: [404]
            ),
        ]
    }

    static var toolProviders: [DocumentedOperation] {
        let tag = "Tools"
        let tool: JSONSchema = .object(
            properties: [
                "name": .string, "author": .anyValue, "label": .anyValue, "description": .anyValue, "parameters": .anyValue,
                "output_schema": .anyValue, "labels": .array(items: .anyValue),
            ]
        )
        let provider: JSONSchema = .object(
            properties: [
                "id": .string, "name": .string, "author": .anyValue, "plugin_id": .string, "plugin_unique_identifier": .string,
                "label": .anyValue, "description": .anyValue, "icon": .anyValue, "labels": .array(items: .anyValue),
                "type": DocSchemas.enumeration(["builtin"]), "is_team_authorization": .boolean, "allow_delete": .boolean,
                "team_credentials": .object, "tools": .array(items: tool),
            ]
        )
        let credentialsPath = "/workspaces/current/tool-provider/builtin/{provider}/"
        let pluginCall = "The plugin is called: its own error answers 400 `plugin_invocation_error`; a crash 502, unavailable 503, a timeout 504"
        var operations = [
            operation(
                .get, "/workspaces/current/tool-providers", id: "tools.providers", summary: "The tool providers of the installed plugins",
                tag: tag, responses: [200: .json("Every tool provider", .array(items: provider))]
            ),
            operation(
                .get, credentialsPath + "credentials", id: "tools.credentials.get", summary: "A tool provider's credentials, masked",
                tag: tag, parameters: [providerParameter("tool")], responses: [200: .json("The credentials", maskedCredentials)],
                errors: [404]
            ),
        ]
        for (action, id) in [("credentials", "tools.credentials.save"), ("update", "tools.credentials.update")] {
            operations.append(
                operation(
                    .post, credentialsPath + action, id: id, summary: "Save a tool provider's credentials",
                    description: "Admins and owners; the plugin checks them first. " + pluginCall, tag: tag,
                    parameters: [providerParameter("tool")], body: credentialsBody,
                    responses: [200: .json("Saved", DocSchemas.success)], errors: [404, 502, 504]
                )
            )
        }
        operations.append(
            operation(
                .post, "/workspaces/current/tools/{provider}/{tool}/invoke", id: "tools.invoke", summary: "Call a tool, as a test",
                description: "Editors and up. " + pluginCall, tag: tag,
                parameters: [providerParameter("tool"), .path(name: "tool", schema: .string(minLength: 1), description: "The tool's name")],
                body: jsonBody(
                    .object(properties: ["parameters": .object(required: false, nullable: true, description: "The tool's parameters")])
                ),
                responses: [200: .json("The tool's messages", .object(properties: ["messages": .array(items: .anyValue)]))],
                errors: [404, 502, 504]
            )
        )
        return operations
    }
}
