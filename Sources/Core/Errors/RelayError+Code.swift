extension RelayError {
    /// A catalogued error code: its wire name and HTTP status. This list is the API's error vocabulary.
    public struct Code: Hashable, Sendable {
        public let name: String
        public let status: Int

        public init(name: String, status: Int) {
            self.name = name
            self.status = status
        }

        public static let invalidParam = Code(name: "invalid_param", status: 400)
        /// The workspace has spent its message credits (Dify's code for a provider quota).
        public static let providerQuotaExceeded = Code(name: "provider_quota_exceeded", status: 400)
        /// No usable credentials for the model provider an app needs (or the upstream refused them).
        public static let providerNotInitialize = Code(name: "provider_not_initialize", status: 400)
        /// The upstream model server failed, could not be reached, or refused the request.
        public static let completionRequestError = Code(name: "completion_request_error", status: 400)
        public static let modelCurrentlyNotSupport = Code(name: "model_currently_not_support", status: 400)
        public static let providerNotSupportSpeechToText = Code(name: "provider_not_support_speech_to_text", status: 400)
        public static let providerNotSupportTextToSpeech = Code(name: "provider_not_support_text_to_speech", status: 400)
        public static let noAudioUploaded = Code(name: "no_audio_uploaded", status: 400)
        public static let audioTooLarge = Code(name: "audio_too_large", status: 413)
        public static let unsupportedAudioType = Code(name: "unsupported_audio_type", status: 415)
        /// The app cannot answer yet (a chat app without a model configuration, a workflow without a published version).
        public static let appUnavailable = Code(name: "app_unavailable", status: 400)
        public static let notChatApp = Code(name: "not_chat_app", status: 400)
        public static let notCompletionApp = Code(name: "not_completion_app", status: 400)
        public static let noFileUploaded = Code(name: "no_file_uploaded", status: 400)
        public static let tooManyFiles = Code(name: "too_many_files", status: 400)
        public static let suggestedQuestionsDisabled = Code(name: "app_suggested_questions_after_answer_disabled", status: 403)
        /// A plugin package (upload or folder) whose manifest or declarations are wrong; `details` names the file and field.
        public static let pluginPackageInvalid = Code(name: "plugin_package_invalid", status: 400)
        /// Installing failed (e.g. its Python requirements did not install); nothing was installed.
        public static let pluginInstallFailed = Code(name: "plugin_install_failed", status: 400)
        /// The plugin answered the call with an error of its own.
        public static let pluginInvocationError = Code(name: "plugin_invocation_error", status: 400)
        /// The plugin process ended during the call (crash, limit, or killed for breaking the protocol).
        public static let pluginCrashed = Code(name: "plugin_crashed", status: 502)
        /// The plugin cannot be started: crash loop, sandbox below the minimum, or it never became ready.
        public static let pluginUnavailable = Code(name: "plugin_unavailable", status: 503)
        /// The plugin did not finish within the call timeout; its process was killed.
        public static let pluginTimeout = Code(name: "plugin_timeout", status: 504)
        /// A workflow node failed (its code raised, its template or request failed); the run's error says which.
        public static let workflowNodeFailed = Code(name: "workflow_node_failed", status: 400)
        /// A document action that its state does not allow (disabling a document not yet indexed); Dify's code.
        public static let invalidAction = Code(name: "invalid_action", status: 400)
        /// A knowledge document's `metadata` view that is not `all`, `only` or `without`; Dify's code.
        public static let invalidMetadata = Code(name: "invalid_metadata", status: 400)
        /// A change to an archived document; un-archive it first (Dify's code).
        public static let archivedDocumentImmutable = Code(name: "archived_document_immutable", status: 403)
        /// The draft was changed by someone else since the editor loaded it (Dify's code).
        public static let draftWorkflowNotSync = Code(name: "draft_workflow_not_sync", status: 400)
        /// The app has no draft workflow yet (Dify's code).
        public static let draftWorkflowNotExist = Code(name: "draft_workflow_not_exist", status: 404)
        public static let notWorkflowApp = Code(name: "not_workflow_app", status: 400)
        public static let unauthorized = Code(name: "unauthorized", status: 401)
        public static let accessDenied = Code(name: "access_denied", status: 403)
        /// `POST /console/api/setup` after setup finished (Dify's `already_setup`).
        public static let alreadySetup = Code(name: "already_setup", status: 403)
        public static let appAPIDisabled = Code(name: "app_api_disabled", status: 403)
        public static let forbidden = Code(name: "forbidden", status: 403)
        public static let notFound = Code(name: "not_found", status: 404)
        public static let endUserNotFound = Code(name: "end_user_not_found", status: 404)
        public static let methodNotAllowed = Code(name: "method_not_allowed", status: 405)
        public static let payloadTooLarge = Code(name: "payload_too_large", status: 413)
        public static let fileTooLarge = Code(name: "file_too_large", status: 413)
        public static let unsupportedFileType = Code(name: "unsupported_file_type", status: 415)
        public static let rateLimitExceeded = Code(name: "rate_limit_exceeded", status: 429)
        public static let tooManyRequests = Code(name: "too_many_requests", status: 429)
        public static let internalError = Code(name: "internal_error", status: 500)
        public static let serviceUnavailable = Code(name: "service_unavailable", status: 503)
    }
}
