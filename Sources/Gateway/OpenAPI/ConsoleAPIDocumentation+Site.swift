import OpenAPIKit

/// `AppSiteController`: an app's web settings and its web access code.
extension ConsoleAPIDocumentation {
    /// `AppSiteController.body`: the Public API's site with the app, its code and who changed it.
    static let site: JSONSchema = {
        var properties = PublicAPIDocumentation.siteProperties
        properties["app_id"] = .uuid
        properties["code"] = .string(description: "The web app's code")
        properties["access_token"] = .string(description: "The same as `code`")
        properties["customize_domain"] = DocSchemas.nullableString
        properties["customize_token_strategy"] = DocSchemas.enumeration(["must", "allow", "not_allow"])
        properties["prompt_public"] = .boolean
        properties["input_placeholder"] = DocSchemas.nullableString
        properties["updated_by"] = JSONSchema.uuid.nullable
        properties["updated_at"] = .timestamp
        return .object(properties: properties)
    }()

    static var appSite: [DocumentedOperation] {
        let tag = "Apps"
        let text = { (max: Int) in JSONSchema.string(required: false, nullable: true, maxLength: max) }
        let flag = JSONSchema.boolean(required: false, nullable: true)
        let change: JSONSchema = .object(
            description: "Only the fields given change; `null` leaves a field as it is",
            properties: [
                "title": .string(required: false, nullable: true, description: "Not blank", maxLength: 255),
                "chat_color_theme": text(32), "chat_color_theme_inverted": flag,
                "icon_type": .string(required: false, nullable: true, allowedValues: "emoji", "image", "link", nil),
                "icon": text(255), "icon_background": text(255), "description": text(4_000), "copyright": text(255),
                "privacy_policy": text(2_048), "custom_disclaimer": text(4_000),
                "default_language": .string(
                    required: false, nullable: true, description: "One of Dify's languages, e.g. `en-US`, `zh-Hans`", maxLength: 255
                ),
                "show_workflow_steps": flag, "use_icon_as_answer_icon": flag, "customize_domain": text(255),
                "customize_token_strategy": .string(required: false, nullable: true, allowedValues: "must", "allow", "not_allow", nil),
                "prompt_public": flag, "input_placeholder": text(255),
            ]
        )
        return [
            operation(
                .post, "/apps/{app_id}/site", id: "apps.site.update", summary: "Change an app's web settings",
                description: "Editors and up; the 400 lists every problem in `details.problems`", tag: tag, parameters: [appID],
                body: jsonBody(change), responses: [200: .json("The settings", site)], errors: [400, 404]
            ),
            operation(
                .post, "/apps/{app_id}/site/access-token-reset", id: "apps.site.resetAccessToken",
                summary: "Give an app's web page a new code", description: "Admins and owners", tag: tag, parameters: [appID],
                responses: [200: .json("The settings with the new code", site)], errors: [404]
            ),
        ]
    }
}
