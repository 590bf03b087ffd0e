public import Foundation

/// An app's web settings (Dify's `Site`): what its web page shows and how. An app that never had them changed shows
/// its own name, icon and description.
public struct AppSite: Sendable, Equatable, Codable {
    public var title: String
    public var chatColorTheme: String?
    public var chatColorThemeInverted: Bool
    public var iconType: String?
    public var icon: String?
    public var iconBackground: String?
    public var description: String?
    public var copyright: String?
    public var privacyPolicy: String?
    public var customDisclaimer: String?
    public var defaultLanguage: String
    public var showWorkflowSteps: Bool
    public var useIconAsAnswerIcon: Bool
    public var customizeDomain: String?
    public var customizeTokenStrategy: String
    public var promptPublic: Bool
    public var inputPlaceholder: String?

    enum CodingKeys: String, CodingKey {
        case title, chatColorTheme = "chat_color_theme", chatColorThemeInverted = "chat_color_theme_inverted", iconType = "icon_type"
        case icon, iconBackground = "icon_background", description, copyright, privacyPolicy = "privacy_policy"
        case customDisclaimer = "custom_disclaimer", defaultLanguage = "default_language", showWorkflowSteps = "show_workflow_steps"
        case useIconAsAnswerIcon = "use_icon_as_answer_icon", customizeDomain = "customize_domain"
        case customizeTokenStrategy = "customize_token_strategy", promptPublic = "prompt_public", inputPlaceholder = "input_placeholder"
    }

    /// The settings of an app that has none stored.
    public init(defaultsOf app: App) {
        title = app.name
        chatColorTheme = nil
        chatColorThemeInverted = false
        iconType = "emoji"
        icon = app.icon
        iconBackground = app.iconBackground
        description = app.description
        copyright = nil
        privacyPolicy = nil
        customDisclaimer = ""
        defaultLanguage = "en-US"
        showWorkflowSteps = true
        useIconAsAnswerIcon = false
        customizeDomain = nil
        customizeTokenStrategy = "not_allow"
        promptPublic = false
        inputPlaceholder = nil
    }

    /// The languages a site may default to: Dify's.
    public static let languages: Set<String> = [
        "en-US", "zh-Hans", "zh-Hant", "pt-BR", "es-ES", "fr-FR", "de-DE", "ja-JP", "ko-KR", "ru-RU", "it-IT", "uk-UA", "vi-VN", "pl-PL",
        "ro-RO", "tr-TR", "fa-IR", "sl-SI", "th-TH", "hi-IN", "id-ID", "ar-TN",
    ]

    /// Applies a console change (only the fields it names; `null` leaves a field as it is, as in Dify), checking every
    /// field; the 400 lists every problem.
    public mutating func apply(_ change: [String: JSONValue]) throws {
        var problems: [(String, String)] = []
        func text(_ key: String, max: Int) -> String?? {
            guard let value = change[key], value != .null else { return .none }
            guard let string = value.string else {
                problems.append((key, "\(key) must be a string"))
                return .none
            }
            guard string.count <= max else {
                problems.append((key, "\(key) must be at most \(max) characters"))
                return .none
            }
            return .some(string)
        }
        func flag(_ key: String) -> Bool? {
            guard let value = change[key], value != .null else { return nil }
            guard let bool = value.bool else {
                problems.append((key, "\(key) must be true or false"))
                return nil
            }
            return bool
        }
        func choice(_ key: String, _ allowed: [String], max: Int = 255) -> String? {
            guard case .some(let value?) = text(key, max: max) else { return nil }
            guard allowed.contains(value) else {
                problems.append((key, "\(key) must be one of \(allowed.joined(separator: ", "))"))
                return nil
            }
            return value
        }
        if case .some(let value?) = text("title", max: 255) {
            if value.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("title", "title must not be empty")) } else { title = value }
        }
        if case .some(let value) = text("chat_color_theme", max: 32) { chatColorTheme = value }
        if let value = flag("chat_color_theme_inverted") { chatColorThemeInverted = value }
        if let value = choice("icon_type", ["emoji", "image", "link"]) { iconType = value }
        if case .some(let value) = text("icon", max: 255) { icon = value }
        if case .some(let value) = text("icon_background", max: 255) { iconBackground = value }
        if case .some(let value) = text("description", max: 4_000) { description = value }
        if case .some(let value) = text("copyright", max: 255) { copyright = value }
        if case .some(let value) = text("privacy_policy", max: 2_048) { privacyPolicy = value }
        if case .some(let value) = text("custom_disclaimer", max: 4_000) { customDisclaimer = value }
        if let value = choice("default_language", Self.languages.sorted()) { defaultLanguage = value }
        if let value = flag("show_workflow_steps") { showWorkflowSteps = value }
        if let value = flag("use_icon_as_answer_icon") { useIconAsAnswerIcon = value }
        if case .some(let value) = text("customize_domain", max: 255) { customizeDomain = value }
        if let value = choice("customize_token_strategy", ["must", "allow", "not_allow"]) { customizeTokenStrategy = value }
        if let value = flag("prompt_public") { promptPublic = value }
        if case .some(let value) = text("input_placeholder", max: 255) { inputPlaceholder = value }
        if let refusal = RelayError.problems(problems) { throw refusal }
    }
}

/// An app's site as stored: its settings, its web code and who changed it last.
public struct StoredSite: Sendable, Equatable {
    public let appID: AppID
    public var settings: AppSite
    /// The web app's code (Dify's `code` and `access_token`); a new one when reset.
    public var code: String
    public var updatedBy: AccountID?
    public var updatedAt: Date

    public init(appID: AppID, settings: AppSite, code: String, updatedBy: AccountID?, updatedAt: Date) {
        self.appID = appID
        self.settings = settings
        self.code = code
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }

    /// A new web code: 16 letters and digits, as Dify's.
    public static func newCode() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
