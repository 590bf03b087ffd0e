import Core
import Foundation
import Logging

// The console's app statistics over a large app: every statistic, over all time and over the last week, p50 and p99
// per query, against the target (50 ms at p50) and against one round trip to the same database measured in the same
// run (what any read costs there).
//
// Run: cd Benchmarks && swift run -c release AppStatistics [messages]
//      (PostgreSQL as well with RELAY_BENCH_DATABASE_URL=postgres://…)

let messages = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let rounds = 30
let target = 0.050

/// One app with `count` messages over 30 days: 5 per conversation, 4 conversations per end user, a like on every tenth.
func fill(_ stores: RelayStores, count: Int) async throws -> App {
    let now = Date()
    let workspace = Workspace(id: WorkspaceID(), name: "Bench", createdAt: now)
    let owner = NewAccount(email: "bench-\(UUID())@example.com", name: "Bench", passwordHash: "x")
    try await stores.accounts.register(owner, workspace: workspace, at: now)
    let app = App(
        id: AppID(), workspaceID: workspace.id, name: "Statistics", mode: .chat, icon: "🤖", iconBackground: "#FFEAD5", description: "",
        enableSite: true, enableAPI: true, apiRPM: 0, apiRPH: 0, isDemo: false, createdBy: owner.id, createdAt: now, updatedAt: now
    )
    try await stores.apps.insert(app)
    let start = now.addingTimeInterval(-30 * 86_400)
    let step = 30 * 86_400 / Double(count)
    let usage = MessageUsage(tokens: TokenCounts(prompt: 11, completion: 7), price: .free, latency: 0.4)
    // Eight writers at once: PostgreSQL's round trips overlap; SQLite's writer takes them in turn.
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<8 {
            group.addTask {
                var conversation: Conversation?
                for index in stride(from: lane, to: count, by: 8) {
                    let date = start.addingTimeInterval(Double(index) * step)
                    let user = "user-\(index / 20)"
                    var started: Conversation?
                    if index % 40 < 8 || conversation == nil {
                        started = Conversation(
                            id: ConversationID(), workspaceID: workspace.id, appID: app.id, endUser: user, name: "Question", inputs: [:],
                            introduction: "", createdAt: date, updatedAt: date)
                        conversation = started
                    }
                    var message = ChatMessage(
                        id: MessageID(), workspaceID: workspace.id, appID: app.id, conversationID: conversation!.id, endUser: user,
                        taskID: UUID().uuidString, inputs: [:], query: "Question \(index)", provider: "bench", model: "bench", createdAt: date)
                    try await stores.chat.begin(message, starting: started)
                    message.answer = "Answer \(index)"
                    message.status = .normal
                    message.usage = usage
                    try await stores.chat.finish(message, at: date)
                    if index % 10 == 0 {
                        _ = try await stores.chat.setFeedback(
                            ChatMessage.Feedback(rating: .like, content: nil), on: message.id,
                            of: EndUserScope(workspaceID: workspace.id, appID: app.id, endUser: user), at: date)
                    }
                }
            }
        }
        try await group.waitForAll()
    }
    return app
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
}

func time(_ body: () async throws -> Void) async throws -> [Double] {
    var samples: [Double] = []
    for _ in 0..<rounds {
        let started = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - started
        samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return samples
}

func measure(_ engine: String, _ stores: RelayStores) async throws {
    let filling = ContinuousClock.now
    let app = try await fill(stores, count: messages)
    print("\(engine): \(messages) messages stored in \(ContinuousClock.now - filling)")
    let roundTrip = try await time { _ = try await stores.accounts.setupDate() }
    let floor = percentile(roundTrip, 0.5)
    print(String(format: "  one round trip (baseline): p50 %.3f ms", floor * 1000))
    let zone = TimeZone(identifier: "Europe/Berlin")!
    let week = StatisticsRange(start: Date().addingTimeInterval(-7 * 86_400), end: Date(), timeZone: zone)
    var worst = 0.0
    for (label, range) in [("all time", StatisticsRange(start: nil, end: nil, timeZone: zone)), ("last week", week)] {
        for statistic in AppStatistic.allCases where statistic.modes?.contains(.chat) ?? true {
            let samples = try await time { _ = try await stores.chat.statistic(statistic, of: app.id, in: app.workspaceID, over: range) }
            let p50 = percentile(samples, 0.5)
            worst = max(worst, p50)
            print(
                String(
                    format: "  %@ %-30@ p50 %7.2f ms  p99 %7.2f ms  %6.0f× a round trip", label, statistic.rawValue as NSString, p50 * 1000,
                    percentile(samples, 0.99) * 1000, p50 / floor))
        }
    }
    print(String(format: "  slowest p50 %.2f ms: %@ the %.0f ms target", worst * 1000, worst <= target ? "within" : "OVER", target * 1000))
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relay-statistics-bench-\(UUID())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
try await measure("SQLite", try RelayStores.openSQLite(at: folder.appendingPathComponent("relay.sqlite")))

if let url = ProcessInfo.processInfo.environment["RELAY_BENCH_DATABASE_URL"] {
    let database = try RelayDatabase.open(try DatabaseLocation(url: url), logger: Logger(label: "bench"))
    if let pool = database.service {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            try await database.migrate()
            try await measure("PostgreSQL", database.stores)
            group.cancelAll()
        }
    }
}
