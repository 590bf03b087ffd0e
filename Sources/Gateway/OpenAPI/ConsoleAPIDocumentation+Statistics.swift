import Core
import Foundation
import OpenAPIKit

/// `AppStatisticsController`: an app's statistics a day at a time in the caller's time zone, for editors and up.
extension ConsoleAPIDocumentation {
    static var appStatistics: [DocumentedOperation] {
        let minute = JSONSchema.string(description: "`YYYY-MM-DD HH:MM` in the caller's time zone")
        return AppStatistic.allCases.map { statistic in
            let values: OrderedDictionary<String, JSONSchema>
            switch statistic {
            case .dailyMessages: values = ["message_count": .integer]
            case .dailyConversations: values = ["conversation_count": .integer]
            case .dailyEndUsers: values = ["terminal_count": .integer]
            case .tokenCosts:
                values = ["token_count": .integer, "total_price": .string(description: "A decimal"), "currency": .string(allowedValues: "USD")]
            case .averageSessionInteractions: values = ["interactions": .number]
            case .userSatisfactionRate: values = ["rate": .number(description: "Likes per 1000 messages")]
            case .averageResponseTime: values = ["latency": .number(description: "Milliseconds")]
            case .tokensPerSecond: values = ["tps": .number]
            }
            var day: OrderedDictionary<String, JSONSchema> = ["date": .string(description: "`YYYY-MM-DD`")]
            for (key, value) in values { day[key] = value }
            return operation(
                .get, "/apps/{app_id}/statistics/\(statistic.rawValue)", id: "apps.statistics.\(statistic.rawValue)",
                summary: "An app's \(statistic.rawValue.replacingOccurrences(of: "-", with: " ")), a day at a time",
                description: statistic.modes.map { "Only for \($0.map(\.rawValue).joined(separator: ", ")) apps (400 otherwise)" },
                tag: "Statistics",
                parameters: [appID, .query("start", minute, allowsEmpty: true), .query("end", minute, allowsEmpty: true)],
                responses: [200: .json("The days with data", .object(properties: ["data": .array(items: .object(properties: day))]))],
                errors: [400, 404]
            )
        }
    }
}
