import Core
import Foundation
import Hummingbird

/// Knowledge metadata: a dataset's fields, its built-in fields switched on or off, and documents' values.
struct DatasetMetadataController {
    let datasets: DatasetService

    struct FieldBody: Decodable {
        let name: String?
        let type: String?
    }

    struct ValuesBody: Decodable {
        struct Operation: Decodable {
            struct Item: Decodable {
                let id: String?
                let name: String?
                let value: JSONValue?
            }

            let documentID: String?
            let metadataList: [Item]?
            let partialUpdate: Bool?

            enum CodingKeys: String, CodingKey {
                case documentID = "document_id"
                case metadataList = "metadata_list"
                case partialUpdate = "partial_update"
            }
        }

        let operationData: [Operation]?

        enum CodingKeys: String, CodingKey {
            case operationData = "operation_data"
        }
    }

    func addRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        group.post("datasets/:dataset_id/metadata") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: FieldBody.self)
            guard let name = body.name else { throw RelayError.required("name") }
            guard let type = body.type else { throw RelayError.required("type") }
            let field = try await datasets.createMetadataField(named: name, type: type, in: try context.id("dataset_id"), by: context.datasetCaller)
            return EditedResponse(status: .created, response: JSONBody(DatasetJSON.metadataField(field)))
        }
        group.get("datasets/:dataset_id/metadata") { _, context in
            let (fields, builtIn) = try await datasets.metadataFields(of: try context.id("dataset_id"), by: context.datasetCaller)
            return JSONBody(DatasetJSON.metadataList(fields, builtInEnabled: builtIn))
        }
        group.patch("datasets/:dataset_id/metadata/:metadata_id") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: FieldBody.self)
            guard let name = body.name else { throw RelayError.required("name") }
            let field = try await datasets.renameMetadataField(
                try context.id("metadata_id"), in: try context.id("dataset_id"), to: name, by: context.datasetCaller)
            return JSONBody(DatasetJSON.metadataField(field))
        }
        group.delete("datasets/:dataset_id/metadata/:metadata_id") { _, context in
            try await datasets.deleteMetadataField(try context.id("metadata_id"), in: try context.id("dataset_id"), by: context.datasetCaller)
            return Response(status: .noContent)
        }
        // Dify's older path, then its newer one under the dataset.
        group.get("datasets/metadata/built-in") { _, _ in Self.builtInFields }
        group.get("datasets/:dataset_id/metadata/built-in") { _, context in
            _ = try await datasets.dataset(try context.id("dataset_id"), by: context.datasetCaller)
            return Self.builtInFields
        }
        group.post("datasets/:dataset_id/metadata/built-in/:action") { _, context in
            let enabled: Bool
            switch try context.parameters.require("action") {
            case "enable": enabled = true
            case "disable": enabled = false
            default: throw RelayError(.invalidAction, "Invalid action; use enable or disable")
            }
            try await datasets.setBuiltInFields(enabled, of: try context.id("dataset_id"), by: context.datasetCaller)
            return SuccessBody()
        }
        group.post("datasets/:dataset_id/documents/metadata") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: ValuesBody.self)
            guard let operations = body.operationData else { throw RelayError.required("operation_data") }
            let changes = try operations.enumerated().map { index, operation in
                guard let document = operation.documentID else { throw RelayError.required("operation_data[\(index)].document_id") }
                let values = try (operation.metadataList ?? []).enumerated().map { position, item in
                    let path = "operation_data[\(index)].metadata_list[\(position)]"
                    guard let id = item.id else { throw RelayError.required("\(path).id") }
                    return (field: try MetadataFieldID.parse(id, field: "\(path).id"), value: item.value ?? .null)
                }
                return DatasetService.MetadataChange(
                    document: try DocumentID.parse(document, field: "operation_data[\(index)].document_id"), values: values,
                    partial: operation.partialUpdate ?? false)
            }
            try await datasets.setMetadata(changes, in: try context.id("dataset_id"), by: context.datasetCaller)
            return SuccessBody()
        }
    }

    static var builtInFields: JSONBody {
        JSONBody(["fields": .array(BuiltInMetadata.allCases.map { ["name": .string($0.rawValue), "type": .string($0.type.rawValue)] })])
    }
}
