import Core
import OpenAPIKit

/// `AnnotationsController`: the app's annotations and annotation reply (`/apps/annotations…`), and the annotation
/// shapes (`AnnotationJSON`) the console's annotation routes answer too.
extension PublicAPIDocumentation {
    static var annotationOperations: [DocumentedOperation] {
        let tag = "Annotations"
        let annotationID = OpenAPI.Parameter.pathID("annotation_id")
        return operation(
            .get, "/apps/annotations", id: "listAnnotations", summary: "The app's annotations, newest first", tag: tag,
            parameters: annotationListQuery,
            responses: [200: .json("A page of annotations", APIComponents.page(of: annotation))],
            errors: [400]
        )
            + operation(
                .post, "/apps/annotations", id: "createAnnotation", summary: "Add an annotation (a question and its answer)", tag: tag,
                body: jsonBody(annotationRequest), responses: [201: .json("The new annotation", annotation)],
                // 400: a missing, blank or too long question or answer.
                errors: [400]
            )
            + operation(
                .put, "/apps/annotations/{annotation_id}", id: "updateAnnotation", summary: "Change an annotation's question and answer",
                tag: tag, parameters: [annotationID], body: jsonBody(annotationRequest),
                responses: [200: .json("The annotation changed", annotation)], errors: [400, 404]
            )
            + operation(
                .delete, "/apps/annotations/{annotation_id}", id: "deleteAnnotation", summary: "Delete an annotation", tag: tag,
                parameters: [annotationID], responses: [204: .noContent("Deleted")], errors: [404]
            )
            + operation(
                .post, "/apps/annotation-reply/{action}", id: "setAnnotationReply",
                summary: "Turn annotation reply on (a job embeds the questions) or off",
                description: "`enable` takes the body; `disable` ignores it", tag: tag,
                parameters: [annotationReplyAction], body: jsonBody(annotationReplyRequest, required: false),
                responses: [200: .json("The job", annotationJob)],
                // 400: an unknown action, a bad threshold, no embedding model or one the workspace cannot use.
                errors: [400]
            )
            + operation(
                .get, "/apps/annotation-reply/{action}/status/{job_id}", id: "getAnnotationReplyStatus",
                summary: "Where an annotation reply job stands", tag: tag,
                parameters: [annotationReplyAction, .pathID("job_id")],
                responses: [200: .json("The job's state", annotationJobStatus)], errors: [400, 404]
            )
    }

    /// `page`, `limit` and `keyword` (`AnnotationJSON.query`).
    static let annotationListQuery: [OpenAPI.Parameter] = [
        .page, .limit(upTo: AnnotationService.maxLimit, default: 20),
        .query("keyword", allowsEmpty: true, description: "Only annotations whose question or answer contains it"),
    ]

    /// `enable` or `disable`; any other is 400 `invalid_param`.
    static let annotationReplyAction = OpenAPI.Parameter.path(
        name: "action", schema: .string(allowedValues: "enable", "disable"), description: "Any other is 400 `invalid_param`"
    )

    /// `AnnotationJSON.Written`: the answer in `answer`, or in `content` as Dify's console sends it.
    static let annotationRequest: JSONSchema = .object(
        properties: [
            "question": .string(
                required: false, nullable: true, description: "Required, not blank", maxLength: Annotation.maxQuestion
            ),
            "answer": .string(
                required: false, nullable: true, description: "Required (or `content`), not blank", maxLength: Annotation.maxAnswer
            ),
            "content": .string(required: false, nullable: true, description: "The answer, when `answer` is absent", maxLength: Annotation.maxAnswer),
        ]
    )

    /// `AnnotationJSON.ReplySetting`.
    static let annotationReplyRequest: JSONSchema = .object(
        properties: [
            "score_threshold": .number(
                required: false, nullable: true, description: "Required to enable: from 0 to 1",
                maximum: (1, exclusive: false), minimum: (0, exclusive: false)
            ),
            "embedding_provider_name": .string(required: false, nullable: true, description: "Required to enable"),
            "embedding_model_name": .string(required: false, nullable: true, description: "Required to enable"),
        ]
    )

    /// `AnnotationJSON.annotation`.
    static let annotation: JSONSchema = .object(
        properties: ["id": .uuid, "question": .string, "answer": .string, "hit_count": .integer, "created_at": .timestamp]
    )

    /// `AnnotationJSON.setting`: `{"enabled": false}` while reply is off; the setting while it is on. Also `/parameters`'
    /// `annotation_reply`.
    static let annotationSetting: JSONSchema = .object(
        properties: [
            "enabled": .boolean,
            "id": JSONSchema.uuid.optional.with(description: "The setting; absent while reply is off"),
            "score_threshold": JSONSchema.number.optional,
            "embedding_model": .object(
                required: false, properties: ["embedding_provider_name": .string, "embedding_model_name": .string]
            ),
        ]
    )

    /// `AnnotationJSON.job`.
    static let annotationJob: JSONSchema = .object(properties: ["job_id": .uuid, "job_status": .string(allowedValues: "waiting")])

    /// `AnnotationJSON.status`.
    static let annotationJobStatus: JSONSchema = .object(
        properties: [
            "job_id": .uuid,
            "job_status": .string(allowedValues: "waiting", "processing", "completed", "error"),
            "error_msg": .string(description: "Empty unless the job failed"),
        ]
    )
}
