import Core
import Foundation
import Gateway
import Testing

@Suite("Knowledge tags: made, bound, filtered by, renamed and deleted, through the console and the knowledge API")
struct DatasetTagTests {
    @Test("tags label datasets, narrow the dataset list by tag_ids, count their datasets, and go with everything bound to them")
    func lifecycle() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            let key = try await client.datasetKey(as: owner)
            let manuals = try await client.createDataset("Manuals", token: owner.token)
            let notes = try await client.createDataset("Notes", token: owner.token)
            let archive = try await client.createDataset("Archive", token: owner.token)

            // The console's spelling.
            let guides = try await client.post("/console/api/tags", token: owner.token, json: ["name": "Guides", "type": "knowledge"])
            #expect(guides.status == .ok, "\(guides.json)")
            #expect(guides.json["name"] == "Guides" && guides.json["type"] == "knowledge" && guides.json["binding_count"] == "0")
            let guidesID = try #require(guides.json["id"].string)
            // The knowledge API's spelling makes the same kind of tag.
            let internalTag = try await client.post("/v1/datasets/tags", token: key, json: ["name": "Internal"])
            #expect(internalTag.status == .ok, "\(internalTag.json)")
            let internalID = try #require(internalTag.json["id"].string)

            let bound = try await client.post(
                "/console/api/tag-bindings/create", token: owner.token,
                json: ["tag_ids": [.string(guidesID), .string(internalID)], "target_id": .string(manuals), "type": "knowledge"]
            )
            #expect(bound.status == .ok && bound.json["result"] == "success", "\(bound.json)")
            // Binding again changes nothing.
            #expect(
                try await client.post("/v1/datasets/tags/binding", token: key, json: ["tag_ids": [.string(guidesID)], "target_id": .string(manuals)])
                    .status == .noContent)
            #expect(
                try await client.post("/v1/datasets/tags/binding", token: key, json: ["tag_ids": [.string(internalID)], "target_id": .string(notes)])
                    .status == .noContent)

            // A dataset shows its tags, by name; the tag lists count their datasets.
            let shown = try await client.get("/console/api/datasets/\(manuals)", token: owner.token)
            #expect(shown.json["tags"].array.compactMap { $0["name"].string } == ["Guides", "Internal"], "\(shown.json)")
            let listedTags = try await client.get("/console/api/tags?type=knowledge", token: owner.token).json.array
            #expect(
                listedTags.map { "\($0["name"].string ?? "")=\($0["binding_count"].string ?? "")" } == ["Guides=1", "Internal=2"], "\(listedTags)")
            #expect(try await client.get("/v1/datasets/tags?keyword=guid", token: key).json.array.map { $0["id"] } == [.string(guidesID)])
            let ofNotes = try await client.get("/v1/datasets/\(notes)/tags", token: key)
            #expect(ofNotes.json["total"] == 1 && ofNotes.json["data"][0]["name"] == "Internal", "\(ofNotes.json)")

            // tag_ids narrows the list to datasets carrying any of the tags.
            func names(_ path: String) async throws -> [String] {
                let reply = try await client.get(path, token: owner.token)
                #expect(reply.status == .ok, "\(reply.json)")
                return reply.json["data"].array.compactMap { $0["name"].string }.sorted()
            }
            #expect(try await names("/console/api/datasets?tag_ids=\(guidesID)") == ["Manuals"])
            #expect(try await names("/console/api/datasets?tag_ids=\(internalID)") == ["Manuals", "Notes"])
            #expect(try await names("/console/api/datasets?tag_ids=\(guidesID)&tag_ids=\(internalID)") == ["Manuals", "Notes"])
            #expect(try await names("/console/api/datasets") == ["Archive", "Manuals", "Notes"])
            #expect(try await client.get("/v1/datasets?tag_ids=\(guidesID)", token: key).json["total"] == 1)

            // Renamed in either spelling; datasets show the new name.
            let renamed = try await client.send(.patch, "/v1/datasets/tags", token: key, json: ["tag_id": .string(guidesID), "name": "Handbooks"])
            #expect(renamed.status == .ok && renamed.json["name"] == "Handbooks" && renamed.json["binding_count"] == "1", "\(renamed.json)")
            #expect(
                try await client.send(.patch, "/console/api/tags/\(internalID)", token: owner.token, json: ["name": "Private"]).json["name"]
                    == "Private")
            #expect(
                try await client.get("/v1/datasets/\(manuals)", token: key).json["tags"].array.compactMap { $0["name"].string } == [
                    "Handbooks", "Private",
                ])

            // Unbinding takes one tag off one dataset.
            #expect(
                try await client.post("/v1/datasets/tags/unbinding", token: key, json: ["tag_id": .string(internalID), "target_id": .string(notes)])
                    .status == .noContent)
            expectError(
                try await client.post("/v1/datasets/tags/unbinding", token: key, json: ["tag_id": .string(internalID), "target_id": .string(notes)]),
                .notFound, "not_found")
            #expect(try await names("/console/api/datasets?tag_ids=\(internalID)") == ["Manuals"])
            let removed = try await client.post(
                "/console/api/tag-bindings/remove", token: owner.token,
                json: ["tag_id": .string(internalID), "target_id": .string(manuals), "type": "knowledge"]
            )
            #expect(removed.status == .ok, "\(removed.json)")

            // Deleting a tag takes it off every dataset; deleting a dataset takes its bindings with it.
            _ = try await client.post("/v1/datasets/tags/binding", token: key, json: ["tag_ids": [.string(guidesID)], "target_id": .string(archive)])
            #expect(
                try await client.get("/console/api/tags", token: owner.token).json.array.first { $0["id"] == .string(guidesID) }?["binding_count"]
                    == "2")
            #expect(try await client.send(.delete, "/console/api/datasets/\(archive)", token: owner.token).status == .noContent)
            #expect(
                try await client.get("/console/api/tags", token: owner.token).json.array.first { $0["id"] == .string(guidesID) }?["binding_count"]
                    == "1")
            #expect(try await client.send(.delete, "/v1/datasets/tags", token: key, json: ["tag_id": .string(guidesID)]).status == .noContent)
            expectError(try await client.send(.delete, "/v1/datasets/tags", token: key, json: ["tag_id": .string(guidesID)]), .notFound, "not_found")
            #expect(try await client.get("/console/api/datasets/\(manuals)", token: owner.token).json["tags"].array.isEmpty)
            #expect(try await names("/console/api/datasets?tag_ids=\(guidesID)") == [])
            #expect(try await client.send(.delete, "/console/api/tags/\(internalID)", token: owner.token).status == .noContent)
            #expect(try await client.get("/console/api/tags", token: owner.token).json.array.isEmpty)
        }
    }

    @Test("wrong tag requests are refused with the field named, change nothing, and binding is all or none")
    func validation() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            let key = try await client.datasetKey(as: owner)
            let dataset = try await client.createDataset("Docs", token: owner.token)
            let tag = try #require(try await client.post("/v1/datasets/tags", token: key, json: ["name": "Kept"]).json["id"].string)

            expectError(try await client.post("/v1/datasets/tags", token: key, json: [:]), .badRequest, "invalid_param", field: "name")
            expectError(try await client.post("/v1/datasets/tags", token: key, json: ["name": "   "]), .badRequest, "invalid_param", field: "name")
            expectError(
                try await client.post("/v1/datasets/tags", token: key, json: ["name": .string(String(repeating: "t", count: 51))]), .badRequest,
                "invalid_param", field: "name")
            expectError(try await client.post("/v1/datasets/tags", token: key, json: ["name": "Kept"]), .badRequest, "invalid_param", field: "name")
            expectError(
                try await client.post("/console/api/tags", token: owner.token, json: ["name": "Apps", "type": "app"]), .badRequest, "invalid_param",
                field: "type")
            expectError(try await client.get("/console/api/tags?type=app", token: owner.token), .badRequest, "invalid_param", field: "type")
            expectError(
                try await client.send(.patch, "/v1/datasets/tags", token: key, json: ["name": "New"]), .badRequest, "invalid_param", field: "tag_id")
            expectError(
                try await client.send(.patch, "/v1/datasets/tags", token: key, json: ["tag_id": "nope", "name": "New"]), .badRequest, "invalid_param",
                field: "tag_id")
            expectError(
                try await client.send(.patch, "/v1/datasets/tags", token: key, json: ["tag_id": .string(UUID().uuidString), "name": "New"]),
                .notFound, "not_found")
            expectError(try await client.send(.post, "/v1/datasets/tags", token: key, raw: "{"), .badRequest, "invalid_param")

            expectError(
                try await client.post("/v1/datasets/tags/binding", token: key, json: ["target_id": .string(dataset)]), .badRequest, "invalid_param",
                field: "tag_ids")
            expectError(
                try await client.post("/v1/datasets/tags/binding", token: key, json: ["tag_ids": [], "target_id": .string(dataset)]), .badRequest,
                "invalid_param", field: "tag_ids")
            expectError(
                try await client.post("/v1/datasets/tags/binding", token: key, json: ["tag_ids": ["x"], "target_id": .string(dataset)]), .badRequest,
                "invalid_param", field: "tag_ids[0]")
            expectError(
                try await client.post("/v1/datasets/tags/binding", token: key, json: ["tag_ids": [.string(tag)]]), .badRequest, "invalid_param",
                field: "target_id")
            expectError(
                try await client.post(
                    "/v1/datasets/tags/binding", token: key, json: ["tag_ids": [.string(tag)], "target_id": .string(UUID().uuidString)]), .notFound,
                "not_found")
            // One unknown tag among known ones: nothing is bound.
            expectError(
                try await client.post(
                    "/v1/datasets/tags/binding", token: key,
                    json: ["tag_ids": [.string(tag), .string(UUID().uuidString)], "target_id": .string(dataset)]),
                .notFound, "not_found"
            )
            #expect(try await client.get("/v1/datasets/\(dataset)/tags", token: key).json["total"] == 0)
            expectError(
                try await client.get("/console/api/datasets?tag_ids=nope", token: owner.token), .badRequest, "invalid_param", field: "tag_ids")
            let many = (0...100).map { _ in "tag_ids=\(UUID().uuidString)" }.joined(separator: "&")
            expectError(try await client.get("/console/api/datasets?\(many)", token: owner.token), .badRequest, "invalid_param", field: "tag_ids")
            let hundred = (0..<100).map { _ in "tag_ids=\(UUID().uuidString)" }.joined(separator: "&")
            #expect(try await client.get("/console/api/datasets?\(hundred)", token: owner.token).json["total"] == 0)
            // The tag is still there, unchanged.
            #expect(try await client.get("/v1/datasets/tags", token: key).json.array.map { $0["name"] } == ["Kept"])
        }
    }

    @Test("normal members read tags but change none; another workspace's tags and datasets are not found")
    func permissionsAndIsolation() async throws {
        try await withRelay(configure: {
            $0.forDatasetTests()
            $0.allowsRegistration = true
        }) { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let member = try await client.addMember("member@example.com", role: "normal", to: owner)
            let editor = try await client.addMember("editor@example.com", role: "editor", to: owner)
            let dataset = try await client.createDataset("Shared", permission: "all_team_members", token: owner.token)
            let tag = try #require(
                try await client.post("/console/api/tags", token: editor.token, json: ["name": "Team", "type": "knowledge"]).json["id"].string)
            #expect(
                try await client.post(
                    "/console/api/tag-bindings/create", token: editor.token, json: ["tag_ids": [.string(tag)], "target_id": .string(dataset)]
                ).status == .ok)

            #expect(try await client.get("/console/api/tags", token: member.token).json.array.count == 1)
            #expect(try await client.get("/console/api/datasets?tag_ids=\(tag)", token: member.token).json["total"] == 1)
            expectError(try await client.post("/console/api/tags", token: member.token, json: ["name": "Mine"]), .forbidden, "access_denied")
            expectError(
                try await client.send(.patch, "/console/api/tags/\(tag)", token: member.token, json: ["name": "Mine"]), .forbidden, "access_denied")
            expectError(try await client.send(.delete, "/console/api/tags/\(tag)", token: member.token), .forbidden, "access_denied")
            expectError(
                try await client.post(
                    "/console/api/tag-bindings/remove", token: member.token, json: ["tag_id": .string(tag), "target_id": .string(dataset)]),
                .forbidden, "access_denied")
            // A dataset the editor cannot see cannot be tagged by them.
            let hidden = try await client.createDataset("Owner's", permission: "only_me", token: owner.token)
            expectError(
                try await client.post(
                    "/console/api/tag-bindings/create", token: editor.token, json: ["tag_ids": [.string(tag)], "target_id": .string(hidden)]),
                .forbidden, "access_denied")

            // Another workspace.
            let other = try await client.register("other@example.com")
            let otherKey = try await client.datasetKey(as: other)
            let otherDataset = try await client.createDataset("Theirs", token: other.token)
            let otherTag = try #require(try await client.post("/v1/datasets/tags", token: otherKey, json: ["name": "Team"]).json["id"].string)
            #expect(try await client.get("/v1/datasets/tags", token: otherKey).json.array.map { $0["id"] } == [.string(otherTag)])
            // Their ids, from here: not found, nothing changed.
            expectError(
                try await client.post(
                    "/console/api/tag-bindings/create", token: owner.token, json: ["tag_ids": [.string(otherTag)], "target_id": .string(dataset)]),
                .notFound, "not_found")
            expectError(
                try await client.post(
                    "/console/api/tag-bindings/create", token: owner.token, json: ["tag_ids": [.string(tag)], "target_id": .string(otherDataset)]),
                .notFound, "not_found")
            expectError(
                try await client.send(.patch, "/console/api/tags/\(otherTag)", token: owner.token, json: ["name": "Mine"]), .notFound, "not_found")
            expectError(try await client.send(.delete, "/console/api/tags/\(otherTag)", token: owner.token), .notFound, "not_found")
            expectError(
                try await client.post(
                    "/console/api/tag-bindings/remove", token: owner.token, json: ["tag_id": .string(otherTag), "target_id": .string(otherDataset)]),
                .notFound, "not_found")
            expectError(try await client.get("/console/api/datasets/\(otherDataset)/tags", token: owner.token), .notFound, "not_found")
            #expect(try await client.get("/console/api/datasets?tag_ids=\(otherTag)", token: owner.token).json["total"] == 0)
            // And ours from there.
            expectError(
                try await client.post(
                    "/v1/datasets/tags/binding", token: otherKey, json: ["tag_ids": [.string(tag)], "target_id": .string(otherDataset)]), .notFound,
                "not_found")
            expectError(try await client.send(.delete, "/v1/datasets/tags", token: otherKey, json: ["tag_id": .string(tag)]), .notFound, "not_found")
            #expect(try await client.get("/v1/datasets?tag_ids=\(tag)", token: otherKey).json["total"] == 0)
            let theirs = try await client.get("/v1/datasets/tags", token: otherKey).json.array
            #expect(theirs.count == 1 && theirs[0]["name"] == "Team" && theirs[0]["binding_count"] == "0")
            #expect(try await client.get("/console/api/tags", token: owner.token).json.array.first?["binding_count"] == "1")
        }
    }
}
