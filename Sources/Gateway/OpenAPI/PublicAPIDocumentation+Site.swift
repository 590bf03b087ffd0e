import Core
import OpenAPIKit

/// `SiteController`, `EndUsersController` and the app's feedback list: what Dify's service API tells of the app's web
/// settings, its end users and the likes and dislikes its answers got.
extension PublicAPIDocumentation {
    static var siteOperations: [DocumentedOperation] {
        operation(
            .get, "/site", id: "getAppSite", summary: "The app's web settings", tag: "App",
            responses: [200: .json("The settings", site)]
        )
            + operation(
                .get, "/end-users/{end_user_id}", id: "getEndUser", summary: "One of the app's end users, by the id Relay gave them",
                tag: "App", parameters: [.pathID("end_user_id")],
                responses: [200: .json("The end user", endUserInfo)],
                // 404 `end_user_not_found`.
                errors: [404]
            )
            + operation(
                .get, "/app/feedbacks", id: "listAppFeedbacks", summary: "The likes and dislikes of the app's answers, newest first",
                description: "End users' feedback (`from_source: user`) and the team's (`admin`)", tag: "Conversations",
                parameters: [.page, .limit(upTo: 101, default: 20)],
                responses: [200: .json("A page of feedback", .object(properties: ["data": .array(items: appFeedback)]))],
                errors: [400]
            )
    }

    /// A time as Dify's `to_dict()` rows show it: ISO 8601 in UTC, without a zone.
    static let naiveDate: JSONSchema = .string(description: "`YYYY-MM-DDTHH:MM:SS`, UTC without a zone")

    /// `SiteController.body`; the console's site adds to it.
    static let siteProperties: OrderedDictionary<String, JSONSchema> = [
        "title": .string,
        "chat_color_theme": DocSchemas.nullableString,
        "chat_color_theme_inverted": .boolean,
        "icon_type": .string(nullable: true, allowedValues: "emoji", "image", "link", nil),
        "icon": DocSchemas.nullableString,
        "icon_background": DocSchemas.nullableString,
        "icon_url": .string(nullable: true, description: "The icon, when `icon_type` is `link`"),
        "description": DocSchemas.nullableString,
        "copyright": DocSchemas.nullableString,
        "privacy_policy": DocSchemas.nullableString,
        "custom_disclaimer": DocSchemas.nullableString,
        "default_language": .string,
        "show_workflow_steps": .boolean,
        "use_icon_as_answer_icon": .boolean,
    ]

    static let site: JSONSchema = .object(properties: siteProperties)

    static let endUserInfo: JSONSchema = .object(
        properties: [
            "id": .uuid, "tenant_id": .uuid, "app_id": .uuid, "type": .string(allowedValues: "service_api"),
            "external_user_id": .string(description: "The `user` the calls named"), "name": .null(), "is_anonymous": .boolean,
            "session_id": .string, "created_at": naiveDate, "updated_at": naiveDate,
        ]
    )

    /// `ConversationsController.body(_: MessageFeedback)`.
    static let appFeedback: JSONSchema = .object(
        properties: [
            "id": .string, "app_id": .uuid, "conversation_id": JSONSchema.uuid.nullable, "message_id": .uuid, "rating": rating,
            "content": DocSchemas.nullableString, "from_source": .string(allowedValues: "user", "admin"),
            "from_end_user_id": JSONSchema.uuid.nullable, "from_account_id": JSONSchema.uuid.nullable, "created_at": naiveDate,
            "updated_at": naiveDate,
        ]
    )
}
