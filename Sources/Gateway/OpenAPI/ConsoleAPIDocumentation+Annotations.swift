import Core
import OpenAPIKit

/// `AppAnnotationsController`: an app's annotations, their hits and annotation reply, for editors and up. The shapes
/// are the Public API's (`PublicAPIDocumentation+Annotations.swift`).
extension ConsoleAPIDocumentation {
    static var appAnnotations: [DocumentedOperation] {
        let tag = "Annotations"
        let withAnnotation = [appID, OpenAPI.Parameter.pathID("annotation_id")]
        let annotation = PublicAPIDocumentation.annotation
        let text = { (max: Int, description: String) in
            JSONSchema.string(required: false, nullable: true, description: description, maxLength: max)
        }
        let written: JSONSchema = .object(
            properties: [
                "question": text(Annotation.maxQuestion, "Not blank; required unless `message_id` gives it"),
                "answer": text(Annotation.maxAnswer, "Required (or `content`), not blank"),
                "content": text(Annotation.maxAnswer, "The answer, when `answer` is absent"),
                "message_id": .string(
                    required: false, nullable: true, description: "A logged message the annotation answers (its query is the default question)"
                ),
            ]
        )
        let hit: JSONSchema = .object(
            properties: [
                "id": .string, "source": .string(description: "`api` or `console`"), "score": .number,
                "question": .string(description: "The query answered"), "created_at": .timestamp,
                "match": .string(description: "The annotation's question then"), "response": .string(description: "Its answer then"),
            ]
        )
        return [
            operation(
                .get, "/apps/{app_id}/annotations", id: "apps.annotations.list", summary: "An app's annotations, newest first", tag: tag,
                parameters: [appID] + PublicAPIDocumentation.annotationListQuery,
                responses: [200: .json("A page of annotations", APIComponents.page(of: annotation))], errors: [400, 404]
            ),
            operation(
                .post, "/apps/{app_id}/annotations", id: "apps.annotations.create",
                summary: "Add an annotation, or replace the one of a logged message", tag: tag, parameters: [appID],
                body: jsonBody(written), responses: [200: .json("The annotation", annotation)], errors: [400, 404]
            ),
            operation(
                .delete, "/apps/{app_id}/annotations", id: "apps.annotations.deleteMany",
                summary: "Delete the annotations named, or all of them when none is", tag: tag,
                parameters: [
                    appID,
                    .query(
                        "annotation_id", .array(maxItems: AppAnnotationsController.maxBatch, items: .uuid),
                        description: "Repeated, at most \(AppAnnotationsController.maxBatch); absent: every annotation of the app"
                    ),
                ],
                responses: [204: .noContent("Deleted")], errors: [400, 404]
            ),
            operation(
                .get, "/apps/{app_id}/annotations/count", id: "apps.annotations.count", summary: "How many annotations an app has",
                tag: tag, parameters: [appID], responses: [200: .json("The count", .object(properties: ["count": .integer]))],
                errors: [404]
            ),
            operation(
                .get, "/apps/{app_id}/annotations/export", id: "apps.annotations.export", summary: "Every annotation of an app",
                tag: tag, parameters: [appID],
                responses: [200: .json("The annotations, newest first", .object(properties: ["data": .array(items: annotation)]))],
                errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/annotations/{annotation_id}", id: "apps.annotations.update",
                summary: "Change an annotation's question and answer", tag: tag, parameters: withAnnotation,
                body: jsonBody(PublicAPIDocumentation.annotationRequest), responses: [200: .json("The annotation changed", annotation)],
                errors: [400, 404]
            ),
            operation(
                .delete, "/apps/{app_id}/annotations/{annotation_id}", id: "apps.annotations.delete", summary: "Delete an annotation",
                tag: tag, parameters: withAnnotation, responses: [204: .noContent("Deleted")], errors: [404]
            ),
            operation(
                .get, "/apps/{app_id}/annotations/{annotation_id}/hit-histories", id: "apps.annotations.hits",
                summary: "The times an annotation answered, newest first", tag: tag,
                parameters: withAnnotation + [.page, .limit(upTo: AnnotationService.maxLimit, default: 20)],
                responses: [200: .json("A page of hits", APIComponents.page(of: hit))], errors: [400, 404]
            ),
            operation(
                .post, "/apps/{app_id}/annotation-reply/{action}", id: "apps.annotationReply.set",
                summary: "Turn annotation reply on (a job embeds the questions) or off",
                description: "`enable` takes the body; `disable` ignores it", tag: tag,
                parameters: [appID, PublicAPIDocumentation.annotationReplyAction],
                body: jsonBody(PublicAPIDocumentation.annotationReplyRequest, required: false),
                responses: [200: .json("The job", PublicAPIDocumentation.annotationJob)], errors: [400, 404]
            ),
            operation(
                .get, "/apps/{app_id}/annotation-reply/{action}/status/{job_id}", id: "apps.annotationReply.status",
                summary: "Where an annotation reply job stands", tag: tag,
                parameters: [appID, PublicAPIDocumentation.annotationReplyAction, .pathID("job_id")],
                responses: [200: .json("The job's state", PublicAPIDocumentation.annotationJobStatus)], errors: [400, 404]
            ),
            operation(
                .get, "/apps/{app_id}/annotation-setting", id: "apps.annotationSetting.get", summary: "An app's annotation reply setting",
                tag: tag, parameters: [appID],
                responses: [200: .json("`{\"enabled\": false}` while reply is off", PublicAPIDocumentation.annotationSetting)],
                errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/annotation-settings/{annotation_setting_id}", id: "apps.annotationSetting.update",
                summary: "Change the score an annotation needs to answer", tag: tag,
                parameters: [appID, .pathID("annotation_setting_id")],
                body: jsonBody(
                    .object(
                        properties: [
                            "score_threshold": .number(
                                nullable: true, description: "From 0 to 1", maximum: (1, exclusive: false), minimum: (0, exclusive: false)
                            )
                        ]
                    )
                ),
                responses: [200: .json("The setting", PublicAPIDocumentation.annotationSetting)], errors: [400, 404]
            ),
        ]
    }
}
