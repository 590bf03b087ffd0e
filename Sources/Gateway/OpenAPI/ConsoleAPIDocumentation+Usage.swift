import OpenAPIKit

/// `UsageController`: the workspace's plan, limits and usage, also in Dify's billing shape.
extension ConsoleAPIDocumentation {
    /// `UsageReport`, which the operator API answers too.
    static let usageReport: JSONSchema = {
        let quota: JSONSchema = .object(properties: ["limit": .integer(description: "0 for no limit"), "used": .integer])
        let count: JSONSchema = .object(properties: ["id": .uuid, "requests": .integer, "tokens": .integer])
        return .object(
            properties: [
                "workspace_id": .uuid,
                "plan": .string,
                "overrides": .object(description: "The workspace's own limits over its plan's", additionalProperties: .b(.integer)),
                "limits": OperatorAPIDocumentation.limits,
                "requests": .object(
                    description: "Public API requests per window (`minute`, `hour`, `day`) against the plan; windows without a limit are left out",
                    additionalProperties: .b(
                        .object(properties: [
                            "limit": .integer, "used": .integer, "remaining": .integer, "reset_in": .integer(description: "Seconds"),
                        ])
                    )
                ),
                "members": quota,
                "apps": quota,
                "message_credits": quota,
                "file_storage": quota.with(description: "Bytes of uploaded files"),
                "documents": quota,
                "vector_space": quota.with(description: "Bytes of segment text and vectors"),
                "message_credits_reset_in": .integer(description: "Seconds until the month's credits reset"),
                "usage": .object(
                    properties: [
                        "requests_today": .integer,
                        "requests_this_month": .integer,
                        "tokens_today": .integer,
                        "tokens_this_month": .integer,
                        "apps": .array(items: count),
                        "api_keys": .array(items: count),
                    ]
                ),
            ]
        )
    }()

    static var usage: [DocumentedOperation] {
        let tag = "Usage"
        let size: JSONSchema = .object(properties: ["size": .integer, "limit": .integer])
        return [
            operation(
                .get, "/workspaces/current/usage", id: "usage.report", summary: "The workspace's plan, each limit and what is used of it",
                tag: tag, responses: [200: .json("The usage report", usageReport)]
            ),
            operation(
                .get, "/billing/subscription", id: "usage.subscription", summary: "The same figures in Dify's billing shape", tag: tag,
                responses: [
                    200: .json(
                        "The subscription",
                        .object(
                            properties: [
                                "enabled": .boolean,
                                "subscription": .object(properties: ["plan": .string, "interval": DocSchemas.enumeration(["month"])]),
                                "members": size,
                                "apps": size,
                                "vector_space": size.with(description: "In MiB"),
                                "documents_upload_quota": size,
                                "message_credits": size,
                            ]
                        )
                    )
                ]
            ),
        ]
    }

    /// `DatasetTagsController.addConsoleRoutes`: the console's spelling of knowledge tags (`/tags`, `/tag-bindings`).
    static var consoleTags: [DocumentedOperation] {
        let tag = "Knowledge tags"
        let type = DocSchemas.enumeration(["knowledge"], nullable: true, description: "Only knowledge tags are kept: anything else is 400")
        let listed = KnowledgeAPIDocumentation.tag(counted: true)
        let name = DocSchemas.text(max: 50, description: "The tag's name, unique in the workspace")
        let tagID = OpenAPI.Parameter.pathID("tag_id")
        return [
            operation(
                .get, "/tags", id: "tags.list", summary: "List the workspace's knowledge tags", tag: tag,
                parameters: [
                    .query("type", DocSchemas.enumeration(["knowledge"]), description: "Only `knowledge` (the default); anything else is 400"),
                    .query("keyword", description: "Only tags whose name contains it"),
                ],
                responses: [200: .json("The tags, with how many datasets carry each", .array(items: listed))], errors: [400]
            ),
            operation(
                .post, "/tags", id: "tags.create", summary: "Create a knowledge tag", description: "Editors and up", tag: tag,
                body: jsonBody(.object(properties: ["name": name, "type": type.optional])),
                responses: [200: .json("The new tag", listed)]
            ),
            operation(
                .patch, "/tags/{tag_id}", id: "tags.rename", summary: "Rename a knowledge tag", description: "Editors and up", tag: tag,
                parameters: [tagID], body: jsonBody(.object(properties: ["name": name])), responses: [200: .json("The tag renamed", listed)],
                errors: [404]
            ),
            operation(
                .delete, "/tags/{tag_id}", id: "tags.delete", summary: "Delete a knowledge tag", description: "Editors and up", tag: tag,
                parameters: [tagID], responses: [204: .noContent()], errors: [404]
            ),
            operation(
                .post, "/tag-bindings/create", id: "tags.bind", summary: "Put tags on a dataset", description: "Editors and up", tag: tag,
                body: jsonBody(
                    .object(
                        properties: [
                            "tag_ids": .array(minItems: 1, maxItems: 100, items: .uuid),
                            "target_id": .uuid.with(description: "The dataset"),
                            "type": type.optional,
                        ]
                    )
                ),
                responses: [200: .json("Bound", DocSchemas.success)], errors: [404]
            ),
            operation(
                .post, "/tag-bindings/remove", id: "tags.unbind", summary: "Take a tag off a dataset", description: "Editors and up",
                tag: tag,
                body: jsonBody(
                    .object(properties: ["tag_id": .uuid, "target_id": .uuid.with(description: "The dataset"), "type": type.optional])
                ),
                responses: [200: .json("Unbound", DocSchemas.success)], errors: [404]
            ),
        ]
    }
}
