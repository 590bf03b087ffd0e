import OpenAPIKit

/// `AuthController`, `WorkspacesController` and `MembersController`: setup, sign-in and sessions, the caller's
/// workspaces, and the current workspace's members.
extension ConsoleAPIDocumentation {
    static let roles = ["owner", "admin", "editor", "normal"]

    /// `TokenPairBody`.
    static let tokenPair: JSONSchema = .object(
        properties: [
            "result": DocSchemas.enumeration(["success"]),
            "data": .object(
                properties: [
                    "access_token": .string(description: "A JWT for `Authorization: Bearer`"),
                    "refresh_token": .string(description: "For `POST /console/api/refresh-token`; single use"),
                    "expires_in": .integer(description: "Seconds until the access token expires"),
                ]
            ),
        ]
    )

    /// `WorkspacesController.WorkspaceBody` (Dify's `TenantInfo`); `current` only where the answer says.
    static func workspace(current: Bool) -> JSONSchema {
        var properties: OrderedDictionary<String, JSONSchema> = [
            "id": .uuid,
            "name": .string,
            "plan": .string,
            "status": .string,
            "created_at": .timestamp,
            "role": DocSchemas.enumeration(roles, description: "The caller's role in it"),
            "in_trial": .boolean,
            "trial_end_at": .null(),
        ]
        if current { properties["current"] = .boolean(description: "Whether it is the workspace of the caller's token") }
        return .object(properties: properties)
    }

    /// A new account's name and password, and the e-mail address it signs in with.
    static let accountFields: OrderedDictionary<String, JSONSchema> = [
        "email": DocSchemas.email,
        "name": DocSchemas.text(max: 100),
        "password": DocSchemas.newPassword,
    ]

    static var auth: [DocumentedOperation] {
        let tag = "Auth"
        let tokens: OpenAPI.Response.Map = [200: .json("Signed in: the session's tokens", tokenPair)]
        return [
            operation(
                .get, "/setup", id: "setup.status", summary: "Whether the server has been set up", tag: tag, access: .open,
                responses: [
                    200: .json(
                        "Where setup stands",
                        .object(
                            properties: [
                                "step": DocSchemas.enumeration(["not_started", "finished"]),
                                "setup_at": JSONSchema.timestamp.optional.with(description: "When setup finished; absent before"),
                            ]
                        )
                    )
                ]
            ),
            operation(
                .post, "/setup", id: "setup.run", summary: "Create the first account and workspace",
                description: "403 `already_setup` once done", tag: tag, access: .open,
                body: jsonBody(.object(properties: accountFields)), responses: [201: .json("Set up", DocSchemas.success)],
                errors: [403]
            ),
            operation(
                .post, "/register", id: "auth.register", summary: "Register an account with a workspace of its own",
                description: "403 when registration is disabled or the server is not set up yet", tag: tag, access: .open,
                body: jsonBody(.object(properties: accountFields)),
                responses: [201: .json("Registered and signed in", tokenPair)], errors: [403]
            ),
            operation(
                .post, "/login", id: "auth.login", summary: "Sign in",
                description: "401 for a wrong e-mail or password; 429 after too many failures for the account (see `Retry-After`)",
                tag: tag, access: .open,
                body: jsonBody(
                    .object(
                        properties: [
                            "email": DocSchemas.email,
                            "password": .string,
                            "remember_me": .boolean(required: false, nullable: true, description: "A longer session"),
                        ]
                    )
                ),
                responses: tokens, errors: [401, 403, 429]
            ),
            operation(
                .post, "/refresh-token", id: "auth.refresh", summary: "Exchange a refresh token for new tokens",
                description: "A refresh token used twice revokes its session", tag: tag, access: .open,
                body: jsonBody(.object(properties: ["refresh_token": .string])), responses: tokens, errors: [401]
            ),
            operation(
                .post, "/activate", id: "auth.activate", summary: "Accept an invitation: choose a name and password",
                tag: tag, access: .open,
                body: jsonBody(
                    .object(properties: [
                        "token": .string(description: "The invitation's token"), "name": DocSchemas.text(max: 100),
                        "password": DocSchemas.newPassword,
                    ])
                ),
                responses: tokens
            ),
            operation(
                .post, "/logout", id: "auth.logout", summary: "End the session", tag: tag, access: .account,
                responses: [200: .json("Signed out", DocSchemas.success)]
            ),
        ]
    }

    static var workspaces: [DocumentedOperation] {
        let tag = "Workspaces"
        var operations = [
            operation(
                .get, "/workspaces", id: "workspaces.list", summary: "The caller's workspaces", tag: tag, access: .account,
                responses: [
                    200: .json("Every workspace the caller belongs to", .object(properties: ["workspaces": .array(items: workspace(current: true))]))
                ]
            ),
            operation(
                .post, "/workspaces", id: "workspaces.create", summary: "Create a workspace, owned by the caller", tag: tag,
                access: .account, body: jsonBody(.object(properties: ["name": DocSchemas.text(max: 100)])),
                responses: [201: .json("The new workspace", workspace(current: true))]
            ),
            operation(
                .post, "/workspaces/switch", id: "workspaces.switch", summary: "Switch the session to another of the caller's workspaces",
                tag: tag, access: .account, body: jsonBody(.object(properties: ["tenant_id": .uuid])),
                responses: [
                    200: .json(
                        "Switched: a new access token for it",
                        .object(
                            properties: [
                                "result": DocSchemas.enumeration(["success"]),
                                "new_tenant": workspace(current: true),
                                "data": .object(properties: ["access_token": .string, "expires_in": .integer]),
                            ]
                        )
                    )
                ],
                errors: [404]
            ),
        ]
        for method in [OpenAPI.HttpMethod.get, .post] {
            operations.append(
                operation(
                    method, "/workspaces/current", id: method == .get ? "workspaces.current" : "workspaces.currentViaPost",
                    summary: "The workspace of the caller's token", description: "Dify moved this read to POST; both answer the same",
                    tag: tag, access: .memberUnlimited, responses: [200: .json("The current workspace", workspace(current: false))],
                    errors: [404]
                )
            )
        }
        return operations
    }

    static var members: [DocumentedOperation] {
        let tag = "Members"
        let member: JSONSchema = .object(
            properties: [
                "id": .uuid,
                "name": .string,
                "email": .string,
                "avatar": .null(),
                "last_login_at": JSONSchema.timestamp.optional.with(description: "Absent until the first sign-in"),
                "created_at": .timestamp.with(description: "When the member joined the workspace"),
                "role": DocSchemas.enumeration(roles),
                "status": DocSchemas.enumeration(["active", "pending"]),
            ]
        )
        let invitation: JSONSchema = .object(
            properties: [
                "status": DocSchemas.enumeration(["success", "failed"]),
                "email": .string,
                "url": JSONSchema.string.optional.with(description: "Where a new account activates; carries the token"),
                "token": JSONSchema.string.optional.with(description: "A new account's activation token, shown only here"),
                "message": JSONSchema.string.optional.with(description: "Why it failed"),
            ]
        )
        let memberID = OpenAPI.Parameter.pathID("member_id", description: "The member's account id")
        return [
            operation(
                .get, "/workspaces/current/members", id: "members.list", summary: "The workspace's members", tag: tag,
                responses: [
                    200: .json(
                        "Its members",
                        .object(properties: ["result": DocSchemas.enumeration(["success"]), "accounts": .array(items: member)])
                    )
                ]
            ),
            operation(
                .post, "/workspaces/current/members/invite-email", id: "members.invite", summary: "Invite people by e-mail",
                description: "Admins and owners; an address that cannot be invited fails on its own unless all fail", tag: tag,
                body: jsonBody(
                    .object(
                        properties: [
                            "emails": .array(minItems: 1, maxItems: 50, items: DocSchemas.email),
                            "role": DocSchemas.enumeration(roles, description: "Not `owner` (400): promote afterwards"),
                        ]
                    )
                ),
                responses: [
                    200: .json(
                        "One result per address",
                        .object(
                            properties: [
                                "result": DocSchemas.enumeration(["success"]),
                                "invitation_results": .array(items: invitation),
                                "tenant_id": .uuid,
                            ]
                        )
                    )
                ]
            ),
            operation(
                .put, "/workspaces/current/members/{member_id}/update-role", id: "members.updateRole", summary: "Change a member's role",
                description: "Admins and owners; only owners touch owners; a workspace keeps at least one owner", tag: tag,
                parameters: [memberID], body: jsonBody(.object(properties: ["role": DocSchemas.enumeration(roles)])),
                responses: [200: .json("Changed", DocSchemas.success)], errors: [404]
            ),
            operation(
                .delete, "/workspaces/current/members/{member_id}", id: "members.remove", summary: "Remove a member",
                description: "Admins and owners; only owners touch owners; a workspace keeps at least one owner", tag: tag,
                parameters: [memberID], responses: [200: .json("Removed", DocSchemas.success)], errors: [404]
            ),
        ]
    }

    static var accountTimeZone: [DocumentedOperation] {
        [
            operation(
                .post, "/account/timezone", id: "account.timezone.set",
                summary: "Set the caller's time zone, in which the logs and statistics read times and cut days", tag: "Account",
                access: .account,
                body: jsonBody(
                    .object(properties: ["timezone": .string(description: "An IANA time zone name, e.g. `America/New_York`", maxLength: 64)])
                ),
                responses: [
                    200: .json(
                        "The account",
                        .object(properties: ["id": .uuid, "name": .string, "email": .string, "timezone": .string])
                    )
                ],
                errors: [400]
            )
        ]
    }
}
