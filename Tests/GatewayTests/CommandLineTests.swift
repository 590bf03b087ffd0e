import Foundation
import HummingbirdTesting
import PluginHost
import Testing

@testable import Gateway

@Suite("The relay command line")
struct CommandLineTests {
    @Test("relay serve starts from the environment, answers health, and stops cleanly on SIGTERM and SIGINT", arguments: [SIGTERM, SIGINT])
    func serveAndStop(signal: Int32) async throws {
        try await withTemporaryDirectory { directory in
            let relay = try RelayProcess(arguments: ["serve"], environment: ["RELAY_DATA_DIR": directory.path, "RELAY_PORT": "0"])
            let port = try await relay.listeningPort()
            let health = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.get("/health")
            }
            #expect(health.status == .ok)
            #expect(String(buffer: health.body ?? .init()).contains("\"status\":\"ok\""))
            let secret = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("secret_key").path)
            #expect((secret[.posixPermissions] as? Int) == 0o600)
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("relay.sqlite").path))
            kill(relay.process.processIdentifier, signal)
            #expect(try await relay.exitStatus() == 0)
        }
    }

    @Test("flags win over environment variables, which win over defaults")
    func configurationPrecedence() throws {
        let defaults = try ServeCommand.parse([]).makeConfiguration(environment: [:])
        #expect(defaults.host == "127.0.0.1" && defaults.port == 5001 && defaults.dataDirectory.lastPathComponent == "storage")
        #expect(defaults.allowsRegistration == false && defaults.secretKey == nil && defaults.passwordHashCost == 12)

        let environment = [
            "RELAY_HOST": "0.0.0.0", "RELAY_PORT": "6000", "RELAY_DATA_DIR": "/tmp/env-dir", "RELAY_ALLOW_REGISTER": "true",
            "RELAY_SECRET_KEY": String(repeating: "e", count: 32),
        ]
        let fromEnvironment = try ServeCommand.parse([]).makeConfiguration(environment: environment)
        #expect(fromEnvironment.host == "0.0.0.0" && fromEnvironment.port == 6000 && fromEnvironment.dataDirectory.path == "/tmp/env-dir")
        #expect(fromEnvironment.allowsRegistration && fromEnvironment.secretKey == String(repeating: "e", count: 32))

        let flags = try ServeCommand.parse([
            "--host", "127.0.0.2", "--port", "7000", "--data-dir", "/tmp/flag-dir", "--secret-key", String(repeating: "f", count: 40),
        ])
        .makeConfiguration(environment: environment)
        #expect(flags.host == "127.0.0.2" && flags.port == 7000 && flags.dataDirectory.path == "/tmp/flag-dir")
        #expect(flags.secretKey == String(repeating: "f", count: 40))
        #expect(try ServeCommand.parse(["--allow-register"]).makeConfiguration(environment: [:]).allowsRegistration)
    }

    @Test("upstream and file settings come from flags or the environment")
    func upstreamSettings() throws {
        let defaults = try ServeCommand.parse([]).makeConfiguration(environment: [:])
        #expect(defaults.upstream.readTimeout == .seconds(60) && defaults.upstream.retries == 2)
        #expect(defaults.upstream.connectionsPerHost == 10_000 && !defaults.allowsPrivateFileURLs && !defaults.workflowHTTPAllowsPrivate)
        let flags = try ServeCommand.parse([
            "--upstream-connect-timeout", "2.5", "--upstream-read-timeout", "30", "--upstream-retries", "0", "--upstream-backoff", "0.1",
            "--upstream-connections-per-host", "64", "--allow-private-file-urls", "--workflow-http-allow-private",
        ]).makeConfiguration(environment: [:])
        #expect(flags.upstream.connectTimeout == .milliseconds(2500) && flags.upstream.readTimeout == .seconds(30))
        #expect(flags.upstream.retries == 0 && flags.upstream.backoff == .milliseconds(100) && flags.upstream.connectionsPerHost == 64)
        #expect(flags.allowsPrivateFileURLs && flags.workflowHTTPAllowsPrivate)
        let environment = try ServeCommand.parse([]).makeConfiguration(environment: [
            "RELAY_UPSTREAM_READ_TIMEOUT": "5", "RELAY_UPSTREAM_RETRIES": "4", "RELAY_ALLOW_PRIVATE_FILE_URLS": "1",
            "RELAY_WORKFLOW_HTTP_ALLOW_PRIVATE": "1",
        ])
        #expect(environment.workflowHTTPAllowsPrivate)
        #expect(environment.upstream.readTimeout == .seconds(5) && environment.upstream.retries == 4 && environment.allowsPrivateFileURLs)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--upstream-retries", "11"]).makeConfiguration(environment: [:]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse([]).makeConfiguration(environment: ["RELAY_UPSTREAM_READ_TIMEOUT": "soon"]) }
    }

    @Test("plugin settings come from flags and the environment; a bad level or timeout is refused")
    func pluginSettings() throws {
        let defaults = try ServeCommand.parse([]).makeConfiguration(environment: [:])
        #expect(defaults.pluginSandboxMinimum == .basic && defaults.pluginCallTimeout == .seconds(60) && defaults.pluginIdleTimeout == .seconds(300))
        let flags = try ServeCommand.parse([
            "--plugin-sandbox-minimum", "standard", "--plugin-call-timeout", "5", "--plugin-idle-timeout", "30", "--plugin-dir",
            "/var/lib/relay-plugins",
            "--builtin-plugins", "", "--console-writes-per-minute", "0", "--console-writes-per-hour", "5000",
        ]).makeConfiguration(environment: [:])
        #expect(flags.consoleWritesPerMinute == 0 && flags.consoleWritesPerHour == 5000)
        #expect(flags.pluginSandboxMinimum == .standard && flags.pluginCallTimeout == .seconds(5) && flags.pluginIdleTimeout == .seconds(30))
        #expect(flags.pluginRoot.path == "/var/lib/relay-plugins" && flags.builtInPluginsDirectory == nil)
        let environment = try ServeCommand.parse([]).makeConfiguration(environment: [
            "RELAY_PLUGIN_SANDBOX_MINIMUM": "strict", "RELAY_PLUGIN_CALL_TIMEOUT": "2.5",
        ])
        #expect(environment.pluginSandboxMinimum == .strict && environment.pluginCallTimeout == .milliseconds(2500))
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--plugin-sandbox-minimum", "paranoid"]).makeConfiguration(environment: [:]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--plugin-call-timeout", "0"]).makeConfiguration(environment: [:]) }
    }

    @Test(
        "bad settings stop relay before it serves, saying what is wrong",
        arguments: [
            (["serve", "--port", "70000"], [:], "port"),
            (["serve"], ["RELAY_PORT": "http"], "RELAY_PORT"),
            (["serve", "--secret-key", "short"], [:], "32 bytes"),
            (["serve"], ["RELAY_ALLOW_REGISTER": "maybe"], "RELAY_ALLOW_REGISTER"),
            (["serve", "--log-level", "loud"], [:], "log level"),
            (["serve", "--database-url", "mysql://db/relay"], [:], "Unsupported database URL"),
            (["serve"], ["RELAY_DATABASE_URL": "postgres://relay@127.0.0.1/relay?sslmode=sometimes"], "sslmode"),
            (["serve", "--database-url", "postgres://relay@127.0.0.1/relay"], [:], "share one secret key"),
            (
                ["serve", "--database-url", "postgres://relay:relay@127.0.0.1:1/relay", "--secret-key", String(repeating: "s", count: 32)],
                [:], "Could not reach the database at postgres://relay@127.0.0.1:1/relay"
            ),
        ] as [([String], [String: String], String)]
    )
    func badSettings(arguments: [String], environment: [String: String], mention: String) async throws {
        try await withTemporaryDirectory { directory in
            let relay = try RelayProcess(arguments: arguments + ["--data-dir", directory.path], environment: environment)
            #expect(try await relay.exitStatus() != 0)
            #expect(relay.log.contains(mention), "\(relay.log)")
        }
    }
}
