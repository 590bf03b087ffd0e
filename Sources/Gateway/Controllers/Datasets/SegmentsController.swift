import Core
import Foundation
import Hummingbird

/// A document's segments: listed, added, changed (re-indexed at once), enabled or disabled, deleted.
struct SegmentsController {
    let datasets: DatasetService

    struct SegmentBody: Decodable {
        let content: String?
        let answer: String?
        let keywords: [String]?
        let enabled: Bool?
        let regenerateChildChunks: Bool?

        enum CodingKeys: String, CodingKey {
            case content, answer, keywords, enabled
            case regenerateChildChunks = "regenerate_child_chunks"
        }

        var fields: SegmentFields {
            SegmentFields(
                content: content, answer: answer, keywords: keywords, enabled: enabled, regenerateChildChunks: regenerateChildChunks ?? false)
        }
    }

    struct AddBody: Decodable {
        let segments: [SegmentBody]?
    }

    struct UpdateBody: Decodable {
        let segment: SegmentBody?
    }

    func addRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        let path = "datasets/:dataset_id/documents/:document_id/segments"
        group.get(RouterPath(path)) { request, context in
            let page = try request.queryInt("page", default: 1)
            let limit = try request.queryInt("limit", default: 20)
            try Paging.check(page: page, limit: limit, maxLimit: 100)
            let enabled: Bool? =
                switch try request.queryString("enabled") ?? request.queryString("status") {
                case "true", "enabled": true
                case "false", "disabled": false
                default: nil
                }
            let documentID: DocumentID = try context.id("document_id")
            let datasetID: DatasetID = try context.id("dataset_id")
            let (segments, form) = try await datasets.segments(
                of: documentID, in: datasetID, keyword: request.queryString("keyword"), enabled: enabled, page: page, limit: limit,
                by: context.datasetCaller
            )
            var body = DatasetJSON.page(segments) { DatasetJSON.segment($0) }.object ?? [:]
            body["doc_form"] = .string(form.rawValue)
            return JSONBody(.object(body))
        }
        group.get(RouterPath(path + "/:segment_id")) { _, context in
            let documentID: DocumentID = try context.id("document_id")
            let datasetID: DatasetID = try context.id("dataset_id")
            let (segment, form) = try await datasets.segment(
                try context.id("segment_id"), of: documentID, in: datasetID, by: context.datasetCaller)
            return JSONBody(["data": DatasetJSON.segment(segment), "doc_form": .string(form.rawValue)])
        }
        group.post(RouterPath(path)) { request, context in
            var request = request
            let body = try await request.decodeJSON(as: AddBody.self)
            guard let items = body.segments else { throw RelayError.required("segments") }
            let documentID: DocumentID = try context.id("document_id")
            let datasetID: DatasetID = try context.id("dataset_id")
            let (segments, form) = try await datasets.addSegments(items.map(\.fields), to: documentID, in: datasetID, by: context.datasetCaller)
            return JSONBody(["data": .array(segments.map { DatasetJSON.segment($0) }), "doc_form": .string(form.rawValue)])
        }
        for method in [HTTPRequest.Method.post, .patch] {
            group.on(RouterPath(path + "/:segment_id"), method: method) { request, context in
                var request = request
                let body = try await request.decodeJSON(as: UpdateBody.self)
                guard let fields = body.segment?.fields else { throw RelayError.required("segment") }
                let (segment, form) = try await datasets.updateSegment(
                    try context.id("segment_id"), of: try context.id("document_id"), in: try context.id("dataset_id"), with: fields,
                    by: context.datasetCaller
                )
                return JSONBody(["data": DatasetJSON.segment(segment), "doc_form": .string(form.rawValue)])
            }
        }
        group.patch(RouterPath(path + "/:segment_id/:action")) { _, context in
            let enabled: Bool
            switch try context.parameters.require("action") {
            case "enable": enabled = true
            case "disable": enabled = false
            default: throw RelayError.notFound("No segment action of that name; use enable or disable")
            }
            let (segment, _) = try await datasets.updateSegment(
                try context.id("segment_id"), of: try context.id("document_id"), in: try context.id("dataset_id"),
                with: SegmentFields(enabled: enabled), by: context.datasetCaller
            )
            return JSONBody(["data": DatasetJSON.segment(segment), "result": "success"])
        }
        group.delete(RouterPath(path + "/:segment_id")) { _, context in
            try await datasets.deleteSegment(
                try context.id("segment_id"), of: try context.id("document_id"), in: try context.id("dataset_id"), by: context.datasetCaller
            )
            return Response(status: .noContent)
        }
    }
}
