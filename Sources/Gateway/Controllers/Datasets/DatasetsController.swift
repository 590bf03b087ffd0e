import Core
import Foundation
import Hummingbird

/// Datasets and retrieval, for the console (members, by their role and each dataset's permission) and the knowledge
/// API (dataset keys): the same handlers under `/console/api/datasets` and `/v1/datasets` (`/api/datasets`).
struct DatasetsController {
    let datasets: DatasetService

    struct DatasetBody: Decodable {
        let name: String?
        let description: String?
        let indexingTechnique: String?
        let permission: String?
        let embeddingModel: String?
        let embeddingModelProvider: String?
        let retrievalModel: JSONValue?
        let partialMemberList: [JSONValue]?

        enum CodingKeys: String, CodingKey {
            case name, description
            case indexingTechnique = "indexing_technique"
            case permission
            case embeddingModel = "embedding_model"
            case embeddingModelProvider = "embedding_model_provider"
            case retrievalModel = "retrieval_model"
            case partialMemberList = "partial_member_list"
        }
    }

    struct RetrieveBody: Decodable {
        let query: String?
        let retrievalModel: JSONValue?

        enum CodingKeys: String, CodingKey {
            case query
            case retrievalModel = "retrieval_model"
        }
    }

    func addRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        group.get("datasets") { request, context in
            let page = try request.queryInt("page", default: 1)
            let limit = try request.queryInt("limit", default: 20)
            try Paging.check(page: page, limit: limit, maxLimit: 100)
            let ids: [DatasetID] = try request.queryIDs("ids", limit: 100)
            let tags: [TagID] = try request.queryIDs("tag_ids", limit: 100)
            let query = DatasetQuery(
                keyword: try request.queryString("keyword"), ids: ids.isEmpty ? nil : ids, tagIDs: tags.isEmpty ? nil : tags, visibleTo: nil,
                page: page, limit: limit
            )
            return JSONBody(DatasetJSON.page(try await datasets.list(query, by: context.datasetCaller), DatasetJSON.dataset))
        }
        group.post("datasets") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: DatasetBody.self)
            guard body.name != nil else { throw RelayError.required("name") }
            let created = try await datasets.create(try Self.fields(body), by: context.datasetCaller)
            let dataset = try await datasets.shown(created.id, by: context.datasetCaller)
            // Dify's knowledge API answers 200, its console 201.
            return EditedResponse(status: context.datasetCaller.account == nil ? .ok : .created, response: JSONBody(DatasetJSON.dataset(dataset)))
        }
        group.get("datasets/:dataset_id") { _, context in
            JSONBody(DatasetJSON.dataset(try await datasets.shown(try context.id("dataset_id"), by: context.datasetCaller)))
        }
        group.patch("datasets/:dataset_id") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: DatasetBody.self)
            let updated = try await datasets.update(try context.id("dataset_id"), with: try Self.fields(body), by: context.datasetCaller)
            return JSONBody(DatasetJSON.dataset(try await datasets.shown(updated.id, by: context.datasetCaller)))
        }
        group.delete("datasets/:dataset_id") { _, context in
            try await datasets.delete(try context.id("dataset_id"), by: context.datasetCaller)
            return Response(status: .noContent)
        }
        // The seed's and Dify's retrieve, and the console's name for it (hit testing).
        for path in ["datasets/:dataset_id/retrieve", "datasets/:dataset_id/hit-testing"] {
            group.post(RouterPath(path)) { request, context in
                var request = request
                let body = try await request.decodeJSON(as: RetrieveBody.self)
                guard let query = body.query else { throw RelayError.required("query") }
                let records = try await datasets.retrieve(
                    query, from: try context.id("dataset_id"), settings: body.retrievalModel ?? .null, by: context.datasetCaller
                )
                return JSONBody(["query": ["content": .string(query)], "records": .array(records.map(DatasetJSON.record))])
            }
        }
    }

    static func fields(_ body: DatasetBody) throws -> DatasetFields {
        var fields = DatasetFields()
        fields.name = body.name
        fields.description = body.description
        fields.indexingTechnique = try body.indexingTechnique.map { try parseEnum($0, field: "indexing_technique") }
        fields.permission = try body.permission.map { try parseEnum($0, field: "permission") }
        fields.embeddingModel = body.embeddingModel
        fields.embeddingProvider = body.embeddingModelProvider
        fields.retrieval = body.retrievalModel
        fields.partialMembers = try body.partialMemberList.map { list in
            try list.enumerated().map { index, item in
                // Dify sends `{user_id, role}` objects; a bare id is accepted too.
                guard let text = item.string ?? item["user_id"].string else {
                    throw RelayError.invalidParam("partial_member_list[\(index)]", "Each member must be an account id or {user_id}")
                }
                return try AccountID.parse(text, field: "partial_member_list[\(index)]")
            }
        }
        return fields
    }
}
