import ArgumentParser
import Core
import Foundation
import Logging
import Tenancy

/// `relay admin`: operator tasks run directly on a data directory, while the server runs or not.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Manage plans and workspaces on the server's database; move a data directory to PostgreSQL.",
        subcommands: [PlansCommand.self, WorkspacesCommand.self, MigrateToCommand.self]
    )
}

/// The database an admin command works on: the data directory's SQLite file, or `--database-url`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The server's data directory (RELAY_DATA_DIR, default ./storage).")
    var dataDir: String?

    @Option(help: "The server's database, when not the data directory's SQLite file (RELAY_DATABASE_URL).")
    var databaseURL: String?

    /// The location as the server would resolve it from the same flags and environment.
    func location(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseLocation {
        var configuration = RelayConfiguration()
        try configuration.locateData(dataDir: dataDir, databaseURL: databaseURL, environment: environment)
        let location = configuration.databaseLocation
        if case .sqlite(let file) = location, !FileManager.default.fileExists(atPath: file.path) {
            throw ValidationError("No Relay database at \(file.path); start relay on that data directory first")
        }
        return location
    }

    /// Runs `body` with the plans of the database, ready.
    func withPlans<T: Sendable>(_ body: @Sendable (PlanService) async throws -> T) async throws -> T {
        let database = try RelayDatabase.open(try location(), logger: Logger(label: "relay.admin"))
        return try await database.withReady { stores in try await body(PlanService(store: stores.plans)) }
    }
}

/// Parses `KEY=VALUE` limit assignments.
func parseLimits(_ assignments: [String]) throws -> [String: Int] {
    var limits: [String: Int] = [:]
    for assignment in assignments {
        let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let value = Int(parts[1]) else {
            throw ValidationError("'\(assignment)' is not KEY=VALUE with an integer value")
        }
        limits[parts[0]] = value
    }
    return limits
}

func describe(_ limits: PlanLimits) -> String {
    PlanLimits.keys.map { "\($0.name)=\(limits[keyPath: $0.path])" }.joined(separator: " ")
}

struct PlansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plans", abstract: "List or define plans. Limits: \(PlanLimits.keys.map(\.name).joined(separator: ", ")); 0 means unlimited.",
        subcommands: [List.self, Set.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the plans and their limits.")
        @OptionGroup var data: DatabaseOptions

        func run() async throws {
            for plan in try await data.withPlans({ try await $0.plans() }) { print("\(plan.name)\t\(describe(plan.limits))") }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a plan or change some of its limits, e.g. `set pro rpm=120 apps=20`.")
        @OptionGroup var data: DatabaseOptions
        @Argument(help: "The plan's name.") var name: String
        @Argument(help: "Limits as KEY=VALUE.") var limits: [String] = []

        func run() async throws {
            do {
                let limits = try parseLimits(limits)
                let plan = try await data.withPlans { [name] in try await $0.define(name, limits: limits) }
                print("\(plan.name)\t\(describe(plan.limits))")
            } catch let error as RelayError {
                throw ValidationError(error.message)
            }
        }
    }
}

struct WorkspacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspaces", abstract: "Manage workspaces.", subcommands: [SetPlan.self]
    )

    struct SetPlan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-plan", abstract: "Put a workspace on a plan, with optional per-workspace overrides."
        )
        @OptionGroup var data: DatabaseOptions
        @Argument(help: "The workspace's id.") var workspace: String
        @Argument(help: "The plan's name.") var plan: String
        @Option(name: .customLong("override"), help: "A limit for this workspace only, as KEY=VALUE; repeatable.")
        var overrides: [String] = []

        func run() async throws {
            guard let id = WorkspaceID(workspace) else { throw ValidationError("'\(workspace)' is not a workspace id (a UUID)") }
            do {
                let overrides = try parseLimits(overrides)
                let assigned = try await data.withPlans { [plan] in try await $0.assign(plan, overrides: overrides, to: id) }
                print("\(id)\t\(assigned.plan.name)\t\(describe(assigned.limits))")
            } catch let error as RelayError {
                throw ValidationError(error.message)
            }
        }
    }
}

/// `relay admin migrate-to`: copies a data directory's SQLite database into PostgreSQL, for a deployment that outgrows
/// one machine. Stop the server first, so nothing changes during the copy.
struct MigrateToCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to",
        abstract: "Copy the data directory's SQLite database into an empty PostgreSQL database, verified by counts and checksums.",
        discussion: """
            Stop relay on the data directory first. Afterwards start every instance with --database-url and the data \
            directory's secret_key as --secret-key, so that sessions and tokens stay valid.
            """
    )

    @Option(help: "The data directory holding relay.sqlite (RELAY_DATA_DIR, default ./storage).")
    var dataDir: String?

    @Option(help: "The PostgreSQL database to copy into: postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
    var databaseURL: String

    func run() async throws {
        var configuration = RelayConfiguration()
        try configuration.locateData(dataDir: dataDir, databaseURL: databaseURL, environment: ProcessInfo.processInfo.environment)
        let target = configuration.databaseLocation
        guard case .postgres = target else { throw ValidationError("migrate-to copies into PostgreSQL: give a postgres:// URL") }
        let database = try RelayDatabase.open(target, logger: Logger(label: "relay.admin"))
        let sqlite = configuration.databaseFile
        do {
            let tables = try await database.withReady { _ in try await database.copy(fromSQLite: sqlite) }
            for table in tables { print("\(table.table)\t\(table.rows) rows\tsha256:\(table.checksum)") }
            print("Copied \(tables.count) tables from \(sqlite.path) to \(target.redacted); every count and checksum matches.")
        } catch let error as DatabaseCopyError {
            throw ValidationError(error.description)
        }
    }
}
