import Foundation
public import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler writing one JSON object a line (`timestamp`, `level`, `label`, `message`, `metadata`, `source`)
/// to standard error, as `--log-format json` asks. Bootstrapped by the executable only, never by tests, which run
/// many servers in one process.
///
/// Metadata whose key names a secret (`authorization`, `password`, `token`, `secret`, `key`, `cookie`) is written
/// as `[redacted]`: Relay logs none, and a line must not carry one if a future message slips.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: JSONLogOutput

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, output: .standardError, metadataProvider: metadataProvider)
    }

    init(label: String, output: JSONLogOutput, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        var line = "{\"timestamp\":"
        Self.append(string: Self.timestamp(), to: &line)
        line += ",\"level\":"
        Self.append(string: event.level.rawValue, to: &line)
        line += ",\"label\":"
        Self.append(string: label, to: &line)
        line += ",\"message\":"
        Self.append(string: event.message.description, to: &line)
        line += ",\"source\":"
        Self.append(string: event.source, to: &line)
        line += ",\"metadata\":{"
        for (index, (key, value)) in merged.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { line += "," }
            Self.append(string: key, to: &line)
            line += ":"
            if Self.isSecret(key) {
                line += "\"[redacted]\""
            } else {
                Self.append(value, to: &line)
            }
        }
        line += "}}\n"
        output.write(line)
    }

    /// Whether a metadata key names a secret by its last word (`user.password`, `api_key`, but not `key.id`).
    static func isSecret(_ key: String) -> Bool {
        let last = key.lowercased().split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" }).last.map(String.init) ?? ""
        return ["authorization", "password", "token", "secret", "key", "cookie", "credentials"].contains(last)
    }

    static func append(_ value: Logger.MetadataValue, to line: inout String) {
        switch value {
        case .string(let text):
            append(string: text, to: &line)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: line += String(number)
            case let number as Int64: line += String(number)
            case let number as UInt64: line += String(number)
            case let number as Double where number.isFinite: line += String(number)
            case let flag as Bool: line += flag ? "true" : "false"
            default: append(string: convertible.description, to: &line)
            }
        case .dictionary(let dictionary):
            line += "{"
            for (index, (key, value)) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line += "," }
                append(string: key, to: &line)
                line += ":"
                if isSecret(key) { line += "\"[redacted]\"" } else { append(value, to: &line) }
            }
            line += "}"
        case .array(let values):
            line += "["
            for (index, value) in values.enumerated() {
                if index > 0 { line += "," }
                append(value, to: &line)
            }
            line += "]"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func append(string: String, to line: inout String) {
        line += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                line += String(format: "\\u%04x", scalar.value)
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// UTC with milliseconds, RFC 3339: `2026-12-03T11:50:00.123Z`.
    static func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        var seconds = time_t(now.rounded(.down))
        let milliseconds = min(999, Int((now - now.rounded(.down)) * 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), milliseconds
        )
    }
}

/// Where JSON lines go: one `write(2)` a line under a lock, so that lines of concurrent requests never interleave.
final class JSONLogOutput: Sendable {
    static let standardError = JSONLogOutput(descriptor: STDERR_FILENO)

    private let descriptor: Int32
    private let lock = Mutex(())

    init(descriptor: Int32) { self.descriptor = descriptor }

    func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            lock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
