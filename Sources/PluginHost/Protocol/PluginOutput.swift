public import Core
import Foundation

/// One line a plugin wrote, understood.
enum PluginOutput: Sendable {
    case heartbeat
    case log(level: String, message: String)
    /// A plugin-wide error (`session_id` null).
    case failure(String)
    case session(id: String, SessionEvent)
    /// The Python SDK's first line (its manifest) and anything else without a known event.
    case ignored

    private struct Envelope: Decodable {
        let event: String?
        let sessionID: String?
        let data: JSONValue?

        enum CodingKeys: String, CodingKey {
            case event
            case sessionID = "session_id"
            case data
        }
    }

    init(line: [UInt8]) throws {
        let envelope = try JSONDecoder().decode(Envelope.self, from: Data(line))
        let data = envelope.data ?? .null
        switch envelope.event {
        case "heartbeat": self = .heartbeat
        case "log": self = .log(level: data["level"].string ?? "INFO", message: data["message"].string ?? "")
        case "error":
            if let id = envelope.sessionID {
                self = .session(id: id, .error(type: "PluginError", message: data["message"].string ?? "\(data)"))
            } else {
                self = .failure(data["message"].string ?? data.string ?? "\(data)")
            }
        case "session":
            guard let id = envelope.sessionID else {
                self = .ignored
                return
            }
            self = .session(id: id, SessionEvent(data))
        default: self = .ignored
        }
    }
}

/// What a plugin says within one session.
public enum SessionEvent: Sendable {
    case stream(JSONValue)
    case end
    case error(type: String, message: String)
    /// A call back into the host (`backwards invocation`).
    case invoke(type: String, requestID: String, request: JSONValue)
    case unknown(String)

    init(_ data: JSONValue) {
        let payload = data["data"]
        switch data["type"].string {
        case "stream": self = .stream(payload)
        case "end": self = .end
        case "error":
            self = .error(
                type: payload["error_type"].string ?? "PluginError",
                message: payload["message"].string ?? payload.string ?? "the plugin reported an error"
            )
        case "invoke":
            self = .invoke(
                type: payload["type"].string ?? "",
                requestID: payload["backwards_request_id"].string ?? "",
                request: payload["request"]
            )
        default: self = .unknown(data["type"].string ?? "")
        }
    }
}
