public import Foundation

/// The five kinds of app Dify defines.
public enum AppMode: String, Sendable, Codable, CaseIterable {
    case chat
    case agentChat = "agent-chat"
    case advancedChat = "advanced-chat"
    case workflow
    case completion

    /// The workspace-key permission that covers calls to an app of this mode.
    public var permission: APIKey.Permission {
        switch self {
        case .chat, .agentChat, .advancedChat: .chat
        case .completion: .completion
        case .workflow: .workflow
        }
    }
}

/// An LLM application of a workspace, reachable through the Public API with its keys.
public struct App: Sendable, Equatable {
    public let id: AppID
    public let workspaceID: WorkspaceID
    public var name: String
    public var mode: AppMode
    public var icon: String
    public var iconBackground: String
    public var description: String
    public var enableSite: Bool
    public var enableAPI: Bool
    /// Requests per minute allowed through the Public API; 0 means no app-level limit.
    public var apiRPM: Int
    /// Requests per hour allowed through the Public API; 0 means no app-level limit.
    public var apiRPH: Int
    public var isDemo: Bool
    public var createdBy: AccountID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: AppID, workspaceID: WorkspaceID, name: String, mode: AppMode, icon: String, iconBackground: String,
        description: String, enableSite: Bool, enableAPI: Bool, apiRPM: Int, apiRPH: Int, isDemo: Bool,
        createdBy: AccountID?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.mode = mode
        self.icon = icon
        self.iconBackground = iconBackground
        self.description = description
        self.enableSite = enableSite
        self.enableAPI = enableAPI
        self.apiRPM = apiRPM
        self.apiRPH = apiRPH
        self.isDemo = isDemo
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a client may set when creating an app.
public struct NewApp: Sendable {
    public var name: String
    public var mode: AppMode
    public var description: String?
    public var icon: String?
    public var iconBackground: String?

    public init(name: String, mode: AppMode, description: String? = nil, icon: String? = nil, iconBackground: String? = nil) {
        self.name = name
        self.mode = mode
        self.description = description
        self.icon = icon
        self.iconBackground = iconBackground
    }
}

/// A partial update of an app: `nil` leaves a field as it is.
public struct AppChanges: Sendable {
    public var name: String?
    public var description: String?
    public var icon: String?
    public var iconBackground: String?
    public var enableSite: Bool?
    public var enableAPI: Bool?
    public var apiRPM: Int?
    public var apiRPH: Int?

    public init(
        name: String? = nil, description: String? = nil, icon: String? = nil, iconBackground: String? = nil,
        enableSite: Bool? = nil, enableAPI: Bool? = nil, apiRPM: Int? = nil, apiRPH: Int? = nil
    ) {
        self.name = name
        self.description = description
        self.icon = icon
        self.iconBackground = iconBackground
        self.enableSite = enableSite
        self.enableAPI = enableAPI
        self.apiRPM = apiRPM
        self.apiRPH = apiRPH
    }
}

/// A page of the app list, filtered as `GET /console/api/apps` asks.
public struct AppQuery: Sendable {
    public var page: Int
    public var limit: Int
    public var name: String?
    public var mode: AppMode?

    public init(page: Int = 1, limit: Int = 30, name: String? = nil, mode: AppMode? = nil) {
        self.page = page
        self.limit = limit
        self.name = name
        self.mode = mode
    }
}

/// The paging every list shares: pages from 1, at most `maxLimit` items a page.
public enum Paging {
    /// The highest page number: far past any real listing, and low enough that `(page - 1) * limit` never overflows.
    public static let maxPage = Int(Int32.max)

    public static func check(page: Int, limit: Int, maxLimit: Int) throws {
        guard (1...maxPage).contains(page) else {
            throw RelayError.invalidParam("page", "page must be an integer from 1 to \(maxPage)")
        }
        guard (1...maxLimit).contains(limit) else {
            throw RelayError.invalidParam("limit", "limit must be an integer from 1 to \(maxLimit)")
        }
    }
}

public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int
    public let page: Int
    public let limit: Int

    public init(items: [Item], total: Int, page: Int, limit: Int) {
        self.items = items
        self.total = total
        self.page = page
        self.limit = limit
    }

    public var hasMore: Bool { page * limit < total }
}
