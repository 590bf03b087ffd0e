import Foundation
import Testing

@testable import Core

/// The console's statistics read a rollup kept by triggers; these tests count the same figures from the messages
/// themselves, here in Swift, and hold the two equal.
@Suite("Statistics rollup")
struct StatisticsRollupTests {
    /// A message as the test sent it, and what happened to it since.
    struct Sent {
        let id: MessageID
        let conversation: ConversationID?
        let endUser: String
        let createdAt: Date
        let usage: MessageUsage
        var likes = 0
    }

    /// 2027-03-23T00:00:00Z: ten days around Europe's change to summer time (2027-03-28).
    static let base = Date(timeIntervalSince1970: 1_805_760_000)

    @Test("every statistic from the rollup equals one counted from the messages, over any range and zone, through feedback and deletion")
    func rollupMatchesMessages() async throws {
        try await withStores { stores, _ in
            let (account, workspace) = try await makeWorkspace(stores, owner: "stats@example.com")
            let app = makeApp(in: workspace)
            try await stores.apps.insert(app)
            var random = SeededGenerator(seed: 15)
            var sent: [Sent] = []
            var conversationStarts: [ConversationID: Date] = [:]
            func send(_ conversation: ConversationID?, starting: Bool, at date: Date, user: String) async throws {
                let message = ChatMessage(
                    id: MessageID(), workspaceID: workspace, appID: app.id, conversationID: conversation, endUser: user,
                    taskID: UUID().uuidString, inputs: [:], query: "q", provider: "p", model: "m", createdAt: date)
                let started =
                    starting
                    ? Conversation(
                        id: conversation!, workspaceID: workspace, appID: app.id, endUser: user, name: "c", inputs: [:], introduction: "",
                        createdAt: date, updatedAt: date) : nil
                try await stores.chat.begin(message, starting: started)
                var finished = message
                let usage = MessageUsage(
                    tokens: TokenCounts(prompt: Int.random(in: 1...500, using: &random), completion: Int.random(in: 0...300, using: &random)),
                    price: ModelPrice(input: Decimal(Int.random(in: 0...5, using: &random)), output: 2),
                    latency: Double(Int.random(in: 0...3000, using: &random)) / 1000)
                finished.usage = usage
                finished.status = .normal
                try await stores.chat.finish(finished, at: date)
                sent.append(Sent(id: message.id, conversation: conversation, endUser: user, createdAt: date, usage: usage))
            }
            // Conversations of one to six messages a few hours apart, and messages of their own (a completion app's).
            for _ in 0..<50 {
                let conversation = ConversationID()
                var date = Self.base.addingTimeInterval(Double(Int.random(in: 0..<(10 * 86_400), using: &random)))
                let user = "user-\(Int.random(in: 0..<12, using: &random))"
                conversationStarts[conversation] = date
                for index in 0..<Int.random(in: 1...6, using: &random) {
                    try await send(conversation, starting: index == 0, at: date, user: user)
                    date = date.addingTimeInterval(Double(Int.random(in: 1...10_800, using: &random)))
                }
            }
            for _ in 0..<40 {
                let date = Self.base.addingTimeInterval(Double(Int.random(in: 0..<(10 * 86_400), using: &random)))
                try await send(nil, starting: false, at: date, user: "user-\(Int.random(in: 0..<12, using: &random))")
            }
            // Feedback given, changed and taken back, by end users and by the team.
            for index in sent.indices {
                let scope = EndUserScope(workspaceID: workspace, appID: app.id, endUser: sent[index].endUser)
                let choice = Int.random(in: 0..<6, using: &random)
                if choice == 0 || choice == 1 {
                    _ = try await stores.chat.setFeedback(.init(rating: .like, content: nil), on: sent[index].id, of: scope, at: Self.base)
                    sent[index].likes += 1
                }
                if choice == 1 {
                    _ = try await stores.chat.setFeedback(.init(rating: .dislike, content: "no"), on: sent[index].id, of: scope, at: Self.base)
                    sent[index].likes -= 1
                }
                if choice == 2 || choice == 3 {
                    _ = try await stores.chat.setAdminFeedback(
                        .init(rating: .like, content: nil), on: sent[index].id, of: app.id, in: workspace, by: account, at: Self.base)
                    sent[index].likes += 1
                }
                if choice == 3 {
                    _ = try await stores.chat.setAdminFeedback(nil, on: sent[index].id, of: app.id, in: workspace, by: account, at: Self.base)
                    sent[index].likes -= 1
                }
            }
            // Deleted from the logs: whole conversations with their messages, and messages of their own.
            for conversation in Array(conversationStarts.keys).sorted(by: { $0.description < $1.description }).prefix(6) {
                #expect(try await stores.chat.deleteLog(conversation, of: app.id, in: workspace, completion: false))
                sent.removeAll { $0.conversation == conversation }
                conversationStarts[conversation] = nil
            }
            for lone in sent.filter({ $0.conversation == nil }).prefix(5) {
                #expect(try await stores.chat.deleteLog(ConversationID(lone.id.uuid), of: app.id, in: workspace, completion: true))
                sent.removeAll { $0.id == lone.id }
            }

            // Ranges in whole minutes, as the console sends them: all time, days, hours, and spans inside one quarter hour.
            var ranges: [(Date?, Date?)] = [(nil, nil), (Self.base.addingTimeInterval(3 * 86_400), nil), (nil, Self.base.addingTimeInterval(5 * 86_400))]
            let lengths: [TimeInterval] = [5 * 60, 14 * 60, 47 * 60, 6 * 3_600, 2 * 86_400, 9 * 86_400]
            for length in lengths {
                for _ in 0..<2 {
                    let start = Self.base.addingTimeInterval(Double(Int.random(in: -1_440..<(10 * 1_440), using: &random)) * 60)
                    ranges.append((start, start.addingTimeInterval(length)))
                }
            }
            let zones = ["Europe/Berlin", "Asia/Kathmandu", "America/St_Johns", "UTC"].map { TimeZone(identifier: $0)! }
                // Ten minutes east: days that do not begin on a quarter hour, read from the messages alone.
                + [TimeZone(secondsFromGMT: 600)!]
            var compared = 0
            for zone in zones {
                for (start, end) in ranges {
                    let range = StatisticsRange(start: start, end: end, timeZone: zone)
                    for statistic in AppStatistic.allCases {
                        let stored = try await stores.chat.statistic(statistic, of: app.id, in: workspace, over: range)
                        let expected = Self.expected(statistic, of: sent, conversations: conversationStarts, over: range)
                        let label = "\(statistic.rawValue) in \(zone.identifier) from \(String(describing: start)) to \(String(describing: end))"
                        #expect(stored.map(\.date) == expected.map(\.date), "\(label)")
                        for (day, figures) in zip(stored, expected) {
                            for (key, value) in figures.values {
                                let tolerance = key == "total_price" ? 2e-7 : 0.011
                                #expect(abs((Self.number(day.values[key]) ?? .nan) - value) <= tolerance, "\(label) \(day.date) \(key)")
                            }
                            compared += 1
                        }
                    }
                }
            }
            #expect(compared > 500)
        }
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let text): Double(text)
        default: nil
        }
    }

    /// The statistic counted from the messages sent, as Dify defines it.
    private static func expected(
        _ statistic: AppStatistic, of sent: [Sent], conversations: [ConversationID: Date], over range: StatisticsRange
    ) -> [(date: String, values: [String: Double])] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = range.timeZone
        func day(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        }
        func within(_ date: Date) -> Bool { (range.start.map { date >= $0 } ?? true) && (range.end.map { date < $0 } ?? true) }
        func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
        if statistic == .averageSessionInteractions {
            var counts: [String: [Int]] = [:]
            for (conversation, started) in conversations where within(started) {
                let messages = sent.filter { $0.conversation == conversation }.count
                if messages > 0 { counts[day(started), default: []].append(messages) }
            }
            return counts.keys.sorted().map { date in
                let values = counts[date]!
                return (date, ["interactions": rounded(Double(values.reduce(0, +)) / Double(values.count), 100)])
            }
        }
        let byDay = Dictionary(grouping: sent.filter { within($0.createdAt) }, by: { day($0.createdAt) })
        return byDay.keys.sorted().map { date in
            let messages = byDay[date]!
            let latency = messages.map(\.usage.latency).reduce(0, +)
            let answerTokens = Double(messages.map(\.usage.completionTokens).reduce(0, +))
            let values: [String: Double]
            switch statistic {
            case .dailyMessages: values = ["message_count": Double(messages.count)]
            case .dailyConversations:
                values = [
                    "conversation_count": Double(Set(messages.compactMap(\.conversation)).count + messages.filter { $0.conversation == nil }.count)
                ]
            case .dailyEndUsers: values = ["terminal_count": Double(Set(messages.map(\.endUser)).count)]
            case .tokenCosts:
                values = [
                    "token_count": Double(messages.map(\.usage.totalTokens).reduce(0, +)),
                    "total_price": messages.map { Double($0.usage.totalPrice)! }.reduce(0, +),
                ]
            case .userSatisfactionRate:
                values = ["rate": rounded(Double(messages.map(\.likes).reduce(0, +)) * 1000 / Double(messages.count), 100)]
            case .averageResponseTime: values = ["latency": rounded(latency / Double(messages.count) * 1000, 10_000)]
            case .tokensPerSecond: values = ["tps": latency == 0 ? 0 : rounded(answerTokens / latency, 10_000)]
            case .averageSessionInteractions: values = [:]
            }
            return (date, values)
        }
    }
}
