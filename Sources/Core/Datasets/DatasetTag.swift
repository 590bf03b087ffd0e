public import Foundation

public typealias TagID = Identifier<DatasetTag>

/// A workspace's label for datasets (Dify's knowledge tags): a dataset carries any number of them, and a listing of
/// datasets can be narrowed to those carrying any of several.
public struct DatasetTag: Sendable, Equatable {
    public let id: TagID
    public let workspaceID: WorkspaceID
    public var name: String
    public let createdBy: AccountID?
    public let createdAt: Date
    /// How many datasets carry it, filled in when tags are listed.
    public var bindingCount: Int

    public init(id: TagID, workspaceID: WorkspaceID, name: String, createdBy: AccountID?, createdAt: Date, bindingCount: Int = 0) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.bindingCount = bindingCount
    }
}
