import Core
import Foundation
import Hummingbird
import Tenancy

/// `GET /site`: the key's app's web settings, as Dify's SDKs read them.
struct SiteController {
    let apps: AppService

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.get("site") { _, context in
            let app = context.grant.app
            try context.grant.require(app.mode.permission)
            let site = try await apps.site(of: app)
            return JSONBody(Self.body(site.settings))
        }
    }

    /// The settings as Dify's service API shows them.
    static func body(_ site: AppSite) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "title": .string(site.title), "chat_color_theme": text(site.chatColorTheme),
            "chat_color_theme_inverted": .bool(site.chatColorThemeInverted), "icon_type": text(site.iconType), "icon": text(site.icon),
            "icon_background": text(site.iconBackground), "icon_url": site.iconType == "link" ? text(site.icon) : .null,
            "description": text(site.description), "copyright": text(site.copyright), "privacy_policy": text(site.privacyPolicy),
            "custom_disclaimer": text(site.customDisclaimer), "default_language": .string(site.defaultLanguage),
            "show_workflow_steps": .bool(site.showWorkflowSteps), "use_icon_as_answer_icon": .bool(site.useIconAsAnswerIcon),
        ]
    }
}
