import Core
import OpenAPIKit

/// `DatasetMetadataController`: a dataset's metadata fields, its built-in fields switched on or off, and its
/// documents' values.
extension KnowledgeAPIDocumentation {
    static func metadata(_ mount: DatasetMount) -> [DocumentedOperation] {
        let tag = "Metadata"
        let withField = [datasetIDParameter, OpenAPI.Parameter.pathID("metadata_id")]
        let name = DocSchemas.text(
            max: 255,
            description: "Trimmed; not the name of a built-in field (`document_name`, `uploader`, `upload_date`, `last_update_date`, `source`)"
        )
        let builtIn: JSONSchema = .object(
            properties: [
                "fields": .array(
                    items: .object(properties: [
                        "name": DocSchemas.enumeration(BuiltInMetadata.allCases.map(\.rawValue)), "type": DocSchemas.enumeration(metadataTypes),
                    ])
                )
            ]
        )
        let values: JSONSchema = .object(
            properties: [
                "operation_data": .array(
                    description:
                        "Each document's new values (at most 1000 documents); all or none: 404 for a field or document not in the dataset, 400 for a value of the wrong type",
                    maxItems: 1000,
                    items: .object(
                        properties: [
                            "document_id": .uuid,
                            "metadata_list": .array(
                                required: false, nullable: true,
                                items: .object(
                                    properties: [
                                        "id": JSONSchema.uuid.with(description: "The field"),
                                        "name": .string(required: false, nullable: true, description: "Accepted and ignored: the id names the field"),
                                        "value": .fragment(
                                            required: false,
                                            description:
                                                "A string, number or time (seconds since 1970) as the field's type takes it, a number also as a string; absent or `null` clears it"
                                        ),
                                    ]
                                )
                            ),
                            "partial_update": .boolean(
                                required: false, nullable: true,
                                description: "Keep the values not named (`true`) or clear them (`false`, the default)"
                            ),
                        ]
                    )
                )
            ]
        )
        return [
            mount.operation(
                .get, "/datasets/{dataset_id}/metadata", id: "datasets.metadata.list", summary: "List a dataset's metadata fields", tag: tag,
                parameters: [datasetIDParameter], responses: [200: .json("Its fields, and whether the built-in ones are on", metadataList)],
                errors: [403, 404]
            ),
            mount.operation(
                .post, "/datasets/{dataset_id}/metadata", id: "datasets.metadata.create", summary: "Add a metadata field to a dataset",
                tag: tag, parameters: [datasetIDParameter],
                body: jsonBody(.object(properties: ["name": name, "type": DocSchemas.enumeration(metadataTypes)])),
                responses: [201: .json("The new field", metadataField)], errors: [403, 404]
            ),
            mount.operation(
                .patch, "/datasets/{dataset_id}/metadata/{metadata_id}", id: "datasets.metadata.rename", summary: "Rename a metadata field",
                description: "Documents keep their values", tag: tag, parameters: withField,
                body: jsonBody(.object(properties: ["name": name])),
                responses: [200: .json("The field renamed", metadataField)], errors: [403, 404]
            ),
            mount.operation(
                .delete, "/datasets/{dataset_id}/metadata/{metadata_id}", id: "datasets.metadata.delete",
                summary: "Delete a metadata field and its values", tag: tag, parameters: withField, responses: [204: .noContent()],
                errors: [403, 404]
            ),
            mount.operation(
                .get, "/datasets/metadata/built-in", id: "datasets.metadata.builtIn", summary: "The built-in metadata fields",
                description: "Dify's older path; the same as `GET /datasets/{dataset_id}/metadata/built-in`", tag: tag,
                responses: [200: .json("The fields every document has", builtIn)]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/metadata/built-in", id: "datasets.metadata.builtInOfDataset",
                summary: "The built-in metadata fields", tag: tag, parameters: [datasetIDParameter],
                responses: [200: .json("The fields every document has", builtIn)], errors: [403, 404]
            ),
            mount.operation(
                .post, "/datasets/{dataset_id}/metadata/built-in/{action}", id: "datasets.metadata.setBuiltIn",
                summary: "Show the built-in fields in a dataset's documents and filters, or stop", tag: tag,
                parameters: [
                    datasetIDParameter,
                    .path(name: "action", schema: DocSchemas.enumeration(["enable", "disable"]), description: "Any other is 400 `invalid_action`"),
                ],
                responses: [200: .json("Done", DocSchemas.success)], errors: [400, 403, 404]
            ),
            mount.operation(
                .post, "/datasets/{dataset_id}/documents/metadata", id: "datasets.metadata.setValues", summary: "Set documents' metadata values",
                tag: tag, parameters: [datasetIDParameter], body: jsonBody(values),
                responses: [200: .json("Done", DocSchemas.success)], errors: [403, 404]
            ),
        ]
    }
}
