public import Foundation

/// The console's app statistics (Dify's `statistics/…` routes): per day, in the asking account's time zone, over the
/// app's messages between `start` and `end`.
public enum AppStatistic: String, Sendable, CaseIterable {
    case dailyMessages = "daily-messages"
    case dailyConversations = "daily-conversations"
    case dailyEndUsers = "daily-end-users"
    case tokenCosts = "token-costs"
    case averageSessionInteractions = "average-session-interactions"
    case userSatisfactionRate = "user-satisfaction-rate"
    case averageResponseTime = "average-response-time"
    case tokensPerSecond = "tokens-per-second"

    /// The app modes a statistic is asked of (Dify refuses the others).
    public var modes: [AppMode]? {
        switch self {
        case .averageSessionInteractions: [.chat, .agentChat, .advancedChat]
        case .averageResponseTime: [.completion]
        default: nil
        }
    }
}

/// A span of time in a time zone: what a statistic covers and how its days are cut.
public struct StatisticsRange: Sendable {
    public let start: Date?
    /// Exclusive.
    public let end: Date?
    public let timeZone: TimeZone

    public init(start: Date?, end: Date?, timeZone: TimeZone) {
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// Parses Dify's `start` and `end` (`YYYY-MM-DD HH:MM`, local time in `timeZone`); the 400 names the field.
    public static func parse(start: String?, end: String?, timeZone: TimeZone) throws -> StatisticsRange {
        let from = try LocalMinute.parse(start, field: "start", in: timeZone)
        let to = try LocalMinute.parse(end, field: "end", in: timeZone)
        if let from, let to, from > to { throw RelayError.invalidParam("start", "start must be earlier than or equal to end") }
        return StatisticsRange(start: from, end: to, timeZone: timeZone)
    }

    /// The spans of constant offset from UTC between `from` and `to`: `(until, offset)`, the last one unbounded.
    func offsets(from: Date, to: Date) -> [(until: Date?, offset: Int)] {
        var spans: [(until: Date?, offset: Int)] = []
        var cursor = from
        // A zone changes its offset a few times a year at most; the bound keeps a pathological zone from looping.
        while spans.count < 1_000, let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next <= to {
            spans.append((next, timeZone.secondsFromGMT(for: cursor)))
            cursor = next
        }
        spans.append((nil, timeZone.secondsFromGMT(for: cursor)))
        return spans
    }
}

/// `YYYY-MM-DD HH:MM` in a time zone, as Dify's console sends times.
public enum LocalMinute {
    public static func parse(_ text: String?, field: String, in timeZone: TimeZone) throws -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0) }
        guard text.count == 16, parts.count == 5, parts.allSatisfy({ $0 != nil }) else {
            throw RelayError.invalidParam(field, "\(field) must be a time as YYYY-MM-DD HH:MM")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4])
        guard calendar.date(from: components) != nil, (1...12).contains(parts[1]!), (1...31).contains(parts[2]!), (0...23).contains(parts[3]!),
            (0...59).contains(parts[4]!), let date = calendar.date(from: components),
            calendar.component(.day, from: date) == parts[2]!
        else { throw RelayError.invalidParam(field, "\(field) must be a time as YYYY-MM-DD HH:MM") }
        return date
    }
}

/// One day of a statistic: its date (`YYYY-MM-DD`) and values.
public struct StatisticsDay: Sendable, Equatable {
    public let date: String
    public let values: [String: JSONValue]

    public init(date: String, values: [String: JSONValue]) {
        self.date = date
        self.values = values
    }
}
