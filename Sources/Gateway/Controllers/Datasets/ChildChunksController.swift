import Core
import Foundation
import Hummingbird

/// A parent segment's child chunks (parent-child documents): listed, added, changed and deleted, each change embedded
/// at once.
struct ChildChunksController {
    let datasets: DatasetService

    struct ContentBody: Decodable {
        let content: String?
    }

    func addRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        let path = "datasets/:dataset_id/documents/:document_id/segments/:segment_id/child_chunks"
        group.get(RouterPath(path)) { request, context in
            let page = try request.queryInt("page", default: 1)
            let limit = try request.queryInt("limit", default: 20)
            try Paging.check(page: page, limit: limit, maxLimit: 100)
            let children = try await datasets.childChunks(
                of: try context.id("segment_id"), in: try context.id("document_id"), of: try context.id("dataset_id"),
                keyword: try request.queryString("keyword"), page: page, limit: limit, by: context.datasetCaller
            )
            return JSONBody(
                [
                    "data": .array(children.items.map(DatasetJSON.childChunk)), "total": .number(Double(children.total)),
                    "total_pages": .number(Double((children.total + limit - 1) / limit)), "page": .number(Double(page)),
                    "limit": .number(Double(limit)),
                ])
        }
        group.post(RouterPath(path)) { request, context in
            var request = request
            let body = try await request.decodeJSON(as: ContentBody.self)
            guard let content = body.content else { throw RelayError.required("content") }
            let child = try await datasets.addChildChunk(
                content, to: try context.id("segment_id"), in: try context.id("document_id"), of: try context.id("dataset_id"),
                by: context.datasetCaller
            )
            return JSONBody(["data": DatasetJSON.childChunk(child)])
        }
        group.patch(RouterPath(path + "/:child_chunk_id")) { request, context in
            var request = request
            let body = try await request.decodeJSON(as: ContentBody.self)
            guard let content = body.content else { throw RelayError.required("content") }
            let child = try await datasets.updateChildChunk(
                try context.id("child_chunk_id"), content: content, of: try context.id("segment_id"), in: try context.id("document_id"),
                of: try context.id("dataset_id"), by: context.datasetCaller
            )
            return JSONBody(["data": DatasetJSON.childChunk(child)])
        }
        group.delete(RouterPath(path + "/:child_chunk_id")) { _, context in
            try await datasets.deleteChildChunk(
                try context.id("child_chunk_id"), of: try context.id("segment_id"), in: try context.id("document_id"),
                of: try context.id("dataset_id"), by: context.datasetCaller
            )
            return Response(status: .noContent)
        }
    }
}
