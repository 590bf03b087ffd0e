import OpenAPIKit

/// `DatasetTagsController.addRoutes`: the knowledge API's spelling of knowledge tags (`/datasets/tags…`, the tag in the
/// body), which the console serves too.
extension KnowledgeAPIDocumentation {
    static func tags(_ mount: DatasetMount) -> [DocumentedOperation] {
        let tag = mount.isConsole ? "Knowledge tags" : "Tags"
        let name = DocSchemas.text(max: 50, description: "The tag's name, unique in the workspace")
        let bindingBody = jsonBody(
            .object(properties: ["tag_ids": .array(minItems: 1, maxItems: 100, items: .uuid), "target_id": .uuid.with(description: "The dataset")])
        )
        let unbindingBody = jsonBody(.object(properties: ["tag_id": .uuid, "target_id": .uuid.with(description: "The dataset")]))
        return [
            mount.operation(
                .get, "/datasets/tags", id: "datasets.tags.list", summary: "List the workspace's knowledge tags", tag: tag,
                parameters: [.query("keyword", description: "Only tags whose name contains it")],
                responses: [200: .json("The tags, with how many datasets carry each", .array(items: Self.tag(counted: true)))]
            ),
            mount.operation(
                .post, "/datasets/tags", id: "datasets.tags.create", summary: "Create a knowledge tag", tag: tag,
                body: jsonBody(.object(properties: ["name": name])),
                responses: [200: .json("The new tag", Self.tag(counted: true))], errors: [403]
            ),
            mount.operation(
                .patch, "/datasets/tags", id: "datasets.tags.rename", summary: "Rename a knowledge tag", tag: tag,
                body: jsonBody(.object(properties: ["tag_id": .uuid, "name": name])),
                responses: [200: .json("The tag renamed", Self.tag(counted: true))], errors: [403, 404]
            ),
            mount.operation(
                .delete, "/datasets/tags", id: "datasets.tags.delete", summary: "Delete a knowledge tag", description: "The tag is named in the body",
                tag: tag, body: jsonBody(.object(properties: ["tag_id": .uuid])), responses: [204: .noContent()], errors: [403, 404]
            ),
            mount.operation(
                .post, "/datasets/tags/binding", id: "datasets.tags.bind", summary: "Put tags on a dataset", tag: tag, body: bindingBody,
                responses: [204: .noContent()], errors: [403, 404]
            ),
            mount.operation(
                .post, "/datasets/tags/unbinding", id: "datasets.tags.unbind", summary: "Take a tag off a dataset", tag: tag, body: unbindingBody,
                responses: [204: .noContent()], errors: [403, 404]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/tags", id: "datasets.tags.ofDataset", summary: "The tags of one dataset", tag: tag,
                parameters: [datasetIDParameter],
                responses: [
                    200: .json(
                        "Its tags", .object(properties: ["data": .array(items: Self.tag(counted: false)), "total": .integer])
                    )
                ],
                errors: [403, 404]
            ),
        ]
    }
}
