import Core
import Foundation
import Hummingbird
import Tenancy

/// The signed-in account's time zone (Dify's `POST /console/api/account/timezone`), in which the console's logs and
/// statistics read `start` and `end` and cut their days.
struct AccountTimeZoneController {
    let accounts: AccountService

    struct TimeZoneRequest: Decodable {
        let timezone: String?
    }

    func addRoutes(to group: RouterGroup<AccountContext>) {
        group.post("account/timezone") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: TimeZoneRequest.self)
            let account = context.grant.account
            let zone = try await accounts.setTimeZone(body.timezone, of: account.id)
            return JSONBody([
                "id": .string(account.id.description), "name": .string(account.name), "email": .string(account.email), "timezone": .string(zone),
            ])
        }
    }
}
