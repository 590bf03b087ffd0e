public import Foundation

/// Knowledge tags: any member sees the workspace's tags; editors and up make, rename and delete them and put them on
/// the datasets they can see. Datasets are listed with their tags and can be filtered by them (`tag_ids`).
extension DatasetService {
    public func tags(keyword: String?, by caller: DatasetCaller) async throws -> [DatasetTag] {
        try await store.tags(in: caller.workspaceID, keyword: keyword)
    }

    public func createTag(named name: String, by caller: DatasetCaller) async throws -> DatasetTag {
        try caller.requireEditor("create tags")
        let tag = DatasetTag(
            id: TagID(), workspaceID: caller.workspaceID, name: try Self.tagName(name), createdBy: caller.account, createdAt: now()
        )
        try await store.insertTag(tag)
        return tag
    }

    public func renameTag(_ id: TagID, to name: String, by caller: DatasetCaller) async throws -> DatasetTag {
        try caller.requireEditor("rename tags")
        guard let tag = try await store.renameTag(id, to: try Self.tagName(name), in: caller.workspaceID) else { throw Self.tagNotFound(id) }
        return tag
    }

    public func deleteTag(_ id: TagID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("delete tags")
        guard try await store.deleteTag(id, in: caller.workspaceID) else { throw Self.tagNotFound(id) }
    }

    /// Puts the tags on the dataset, all or none.
    public func bind(_ tags: [TagID], to datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("tag datasets")
        guard !tags.isEmpty else { throw RelayError.required("tag_ids") }
        guard tags.count <= 100 else { throw RelayError.invalidParam("tag_ids", "At most 100 tags can be bound at once", type: "too_long") }
        _ = try await dataset(datasetID, by: caller)
        guard try await store.bind(tags, to: datasetID, in: caller.workspaceID, at: now()) else {
            throw RelayError.notFound("A tag of tag_ids is not one of this workspace's tags")
        }
    }

    public func unbind(_ tag: TagID, from datasetID: DatasetID, by caller: DatasetCaller) async throws {
        try caller.requireEditor("tag datasets")
        _ = try await dataset(datasetID, by: caller)
        guard try await store.unbind(tag, from: datasetID, in: caller.workspaceID) else {
            throw RelayError.notFound("Dataset \(datasetID) does not carry tag \(tag)")
        }
    }

    public func tags(of datasetID: DatasetID, by caller: DatasetCaller) async throws -> [DatasetTag] {
        _ = try await dataset(datasetID, by: caller)
        return try await store.tags(of: [datasetID], in: caller.workspaceID)[datasetID, default: []]
    }

    /// The datasets with the tags each carries, for the listings and reads that show them.
    func tagged(_ datasets: [Dataset], in workspace: WorkspaceID) async throws -> [Dataset] {
        let tags = try await store.tags(of: datasets.map(\.id), in: workspace)
        return datasets.map { dataset in
            var dataset = dataset
            dataset.tags = tags[dataset.id, default: []]
            return dataset
        }
    }

    private static func tagName(_ name: String) throws -> String {
        try TextRules.required(name, field: "name", maxLength: 50)
    }

    private static func tagNotFound(_ id: TagID) -> RelayError {
        RelayError.notFound("Tag \(id) not found")
    }
}
