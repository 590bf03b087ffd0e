import Core
import Foundation
import Hummingbird
import Tenancy

/// An app's statistics on the console (Dify's `/console/api/apps/{app_id}/statistics/…`): a day at a time in the
/// account's time zone, over `start` to `end` (`YYYY-MM-DD HH:MM` there).
struct AppStatisticsController {
    let apps: AppService
    let chat: ChatService
    let accounts: AccountService

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        for statistic in AppStatistic.allCases {
            group.get(RouterPath("apps/:app_id/statistics/\(statistic.rawValue)")) { request, context in
                let app = try await apps.find(try context.id("app_id"), in: context.scope)
                try context.scope.require(\.canEditApps, "Only editors, admins and owners can read an app's statistics")
                let range = try StatisticsRange.parse(
                    start: try request.queryString("start"), end: try request.queryString("end"),
                    timeZone: try await accounts.timeZone(of: context.scope.accountID))
                let days = try await chat.statistic(statistic, of: app, over: range)
                return JSONBody([
                    "data": .array(
                        days.map { day in
                            var values = day.values
                            values["date"] = .string(day.date)
                            return .object(values)
                        })
                ])
            }
        }
    }
}
