import ArgumentParser
import Core
import Foundation

extension RelayConfiguration {
    /// Where the data lives, as every command reads it: `--data-dir` (else `RELAY_DATA_DIR`) and `--database-url` (else a
    /// non-empty `RELAY_DATABASE_URL`); a flag wins. A malformed URL is the command line's error, said as such.
    mutating func locateData(dataDir: String?, databaseURL: String?, environment: [String: String]) throws {
        if let directory = dataDir ?? environment["RELAY_DATA_DIR"] {
            dataDirectory = URL(fileURLWithPath: directory)
        }
        guard let url = databaseURL ?? environment["RELAY_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else { return }
        do {
            database = try DatabaseLocation(url: url)
        } catch let error as DatabaseLocationError {
            throw ValidationError(error.description)
        }
    }
}
