import Core
import Foundation
import Hummingbird
import Tenancy

/// `GET /end-users/{id}`: one of the app's end users, by the id Relay gave them.
struct EndUsersController {
    let chat: ChatService

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.get("end-users/:end_user_id") { _, context in
            let app = context.grant.app
            try context.grant.require(app.mode.permission)
            let id: EndUserID = try context.id("end_user_id")
            let user = try await chat.endUser(id, of: app)
            let created = JSONValue.string(ISODate.naive(user.createdAt))
            return JSONBody([
                "id": .string(user.id.description), "tenant_id": .string(user.workspaceID.description), "app_id": .string(user.appID.description),
                "type": "service_api", "external_user_id": .string(user.sessionID), "name": .null, "is_anonymous": false,
                "session_id": .string(user.sessionID), "created_at": created, "updated_at": created,
            ])
        }
    }
}

/// Dify's naive ISO timestamps (UTC, no zone), as its `to_dict()` rows show them.
enum ISODate {
    static func naive(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0,
            parts.second ?? 0)
    }
}
