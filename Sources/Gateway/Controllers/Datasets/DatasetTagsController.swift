import Core
import Foundation
import Hummingbird

/// Knowledge tags: the knowledge API's `/datasets/tags…` (also on the console) and the console's own `/tags` and
/// `/tag-bindings/…`, all over the same service calls.
struct DatasetTagsController {
    let datasets: DatasetService

    struct TagBody: Decodable {
        let name: String?
        let tagID: String?
        let type: String?

        enum CodingKeys: String, CodingKey {
            case name
            case tagID = "tag_id"
            case type
        }
    }

    struct BindingBody: Decodable {
        let tagIDs: [String]?
        let tagID: String?
        let targetID: String?
        let type: String?

        enum CodingKeys: String, CodingKey {
            case tagIDs = "tag_ids"
            case tagID = "tag_id"
            case targetID = "target_id"
            case type
        }
    }

    /// The knowledge API's spelling: `/datasets/tags` with the tag in the body.
    func addRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        group.get("datasets/tags") { request, context in
            JSONBody(.array(try await datasets.tags(keyword: request.queryString("keyword"), by: context.datasetCaller).map(Self.tag)))
        }
        group.post("datasets/tags") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: TagBody.self)
            return JSONBody(Self.tag(try await datasets.createTag(named: try Self.name(body), by: context.datasetCaller)))
        }
        group.patch("datasets/tags") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: TagBody.self)
            let id: TagID = try Self.id(body.tagID, field: "tag_id")
            return JSONBody(Self.tag(try await datasets.renameTag(id, to: try Self.name(body), by: context.datasetCaller)))
        }
        group.delete("datasets/tags") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: TagBody.self)
            try await datasets.deleteTag(try Self.id(body.tagID, field: "tag_id"), by: context.datasetCaller)
            return Response(status: .noContent)
        }
        group.post("datasets/tags/binding") { request, context in
            var request = request
            let (tags, dataset) = try Self.binding(try await request.decodeJSON(as: BindingBody.self))
            try await datasets.bind(tags, to: dataset, by: context.datasetCaller)
            return Response(status: .noContent)
        }
        group.post("datasets/tags/unbinding") { request, context in
            var request = request
            let (tag, dataset) = try Self.unbinding(try await request.decodeJSON(as: BindingBody.self))
            try await datasets.unbind(tag, from: dataset, by: context.datasetCaller)
            return Response(status: .noContent)
        }
        group.get("datasets/:dataset_id/tags") { _, context in
            let tags = try await datasets.tags(of: try context.id("dataset_id"), by: context.datasetCaller)
            return JSONBody(["data": .array(tags.map { DatasetJSON.tag($0, counted: false) }), "total": .number(Double(tags.count))])
        }
    }

    /// The console's spelling: `/tags?type=knowledge`, `/tags/{id}`, `/tag-bindings/create|remove`.
    func addConsoleRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        group.get("tags") { request, context in
            try Self.requireKnowledge(request.queryString("type") ?? "knowledge")
            return JSONBody(.array(try await datasets.tags(keyword: request.queryString("keyword"), by: context.datasetCaller).map(Self.tag)))
        }
        group.post("tags") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: TagBody.self)
            try Self.requireKnowledge(body.type ?? "knowledge")
            return JSONBody(Self.tag(try await datasets.createTag(named: try Self.name(body), by: context.datasetCaller)))
        }
        group.patch("tags/:tag_id") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: TagBody.self)
            return JSONBody(Self.tag(try await datasets.renameTag(try context.id("tag_id"), to: try Self.name(body), by: context.datasetCaller)))
        }
        group.delete("tags/:tag_id") { _, context in
            try await datasets.deleteTag(try context.id("tag_id"), by: context.datasetCaller)
            return Response(status: .noContent)
        }
        group.post("tag-bindings/create") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: BindingBody.self)
            try Self.requireKnowledge(body.type ?? "knowledge")
            let (tags, dataset) = try Self.binding(body)
            try await datasets.bind(tags, to: dataset, by: context.datasetCaller)
            return SuccessBody()
        }
        group.post("tag-bindings/remove") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: BindingBody.self)
            try Self.requireKnowledge(body.type ?? "knowledge")
            let (tag, dataset) = try Self.unbinding(body)
            try await datasets.unbind(tag, from: dataset, by: context.datasetCaller)
            return SuccessBody()
        }
    }

    private static func tag(_ tag: DatasetTag) -> JSONValue { DatasetJSON.tag(tag, counted: true) }

    private static func name(_ body: TagBody) throws -> String {
        guard let name = body.name else { throw RelayError.required("name") }
        return name
    }

    private static func id<Entity>(_ text: String?, field: String) throws -> Identifier<Entity> {
        guard let text else { throw RelayError.required(field) }
        return try Identifier.parse(text, field: field)
    }

    private static func binding(_ body: BindingBody) throws -> ([TagID], DatasetID) {
        guard let ids = body.tagIDs else { throw RelayError.required("tag_ids") }
        let tags: [TagID] = try ids.enumerated().map { try Identifier.parse($1, field: "tag_ids[\($0)]") }
        return (tags, try id(body.targetID, field: "target_id"))
    }

    private static func unbinding(_ body: BindingBody) throws -> (TagID, DatasetID) {
        (try id(body.tagID, field: "tag_id"), try id(body.targetID, field: "target_id"))
    }

    /// Only knowledge tags are kept: Dify's app tags (`type=app`) are refused by name rather than mixed in.
    private static func requireKnowledge(_ type: String) throws {
        guard type == "knowledge" else {
            throw RelayError.invalidParam("type", "Only knowledge tags are supported (type must be knowledge)", type: "enum")
        }
    }
}
