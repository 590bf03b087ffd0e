import Core
import Foundation
import Hummingbird
import Tenancy

/// `GET /info`, `/parameters` and `/meta` of the key's app, in Dify's shapes.
struct AppInfoController {
    let chat: ChatService
    let annotations: AnnotationService
    struct InfoBody: ResponseCodableBody {
        let name: String
        let description: String
        let tags: [String]
        let mode: String
        let authorName: String

        enum CodingKeys: String, CodingKey {
            case name, description, tags, mode
            case authorName = "author_name"
        }
    }

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.get("info") { _, context in
            let app = context.grant.app
            try context.grant.require(app.mode.permission)
            return InfoBody(
                name: app.name, description: app.description, tags: [], mode: app.mode.rawValue,
                authorName: context.grant.appAuthorName
            )
        }
        group.get("parameters") { _, context in
            try context.grant.require(context.grant.app.mode.permission)
            let app = context.grant.app
            var parameters = Self.parameters(try await chat.modelConfig(of: app))
            // Dify reports annotation reply from the app's setting, not from its configuration.
            if app.mode != .workflow, case .object(var fields) = parameters {
                fields["annotation_reply"] = AnnotationJSON.setting(try await annotations.setting(of: app))
                parameters = .object(fields)
            }
            return JSONBody(parameters)
        }
        group.get("meta") { _, context in
            try context.grant.require(context.grant.app.mode.permission)
            return JSONBody(["tool_icons": [:]])
        }
    }

    /// The app's parameters: its configuration's opening statement, suggestions, input form and file upload settings
    /// over the defaults.
    static func parameters(_ config: AppModelConfig?) -> JSONValue {
        guard let config, case .object(var parameters) = defaultParameters else { return defaultParameters }
        parameters["opening_statement"] = .string(config.openingStatement ?? "")
        parameters["suggested_questions"] = .array((config.suggestedQuestions ?? []).map(JSONValue.string))
        parameters["suggested_questions_after_answer"] = ["enabled": .bool(config.suggestedQuestionsAfterAnswer?.enabled ?? false)]
        parameters["user_input_form"] = JSONValue(encoding: config.inputForm)
        if let upload = config.fileUpload { parameters["file_upload"] = upload }
        if let speech = config.speechToText { parameters["speech_to_text"] = ["enabled": .bool(speech.enabled)] }
        if let speech = config.textToSpeech, case .object = speech { parameters["text_to_speech"] = speech }
        if let moderation = config.sensitiveWordAvoidance, case .object = moderation { parameters["sensitive_word_avoidance"] = moderation }
        return .object(parameters)
    }

    /// An app's parameters before it has a model configuration: nothing enabled, no input form.
    static let defaultParameters: JSONValue = [
        "opening_statement": "",
        "suggested_questions": [],
        "suggested_questions_after_answer": ["enabled": false],
        "speech_to_text": ["enabled": false],
        "text_to_speech": ["enabled": false, "voice": "", "language": ""],
        "retriever_resource": ["enabled": false],
        "annotation_reply": ["enabled": false],
        "more_like_this": ["enabled": false],
        "user_input_form": [],
        "sensitive_word_avoidance": ["enabled": false, "type": "", "configs": []],
        "file_upload": [
            "image": ["enabled": false, "number_limits": 3, "detail": "high", "transfer_methods": ["remote_url", "local_file"]]
        ],
        "system_parameters": [
            "file_size_limit": 100, "image_file_size_limit": 15, "audio_file_size_limit": 50, "video_file_size_limit": 100,
            "workflow_file_upload_limit": 10,
        ],
    ]
}
