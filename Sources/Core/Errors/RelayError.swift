/// The one error every Relay service throws: a catalogued code, a message for people, and optional structured details.
///
/// The gateway renders it as `{"code", "message", "status", "details"}`; `underlying` is logged, never sent.
public struct RelayError: Error, Sendable, CustomStringConvertible {
    public let code: Code
    public let message: String
    public let details: JSONValue?
    /// Extra response header fields, e.g. `WWW-Authenticate` or `Retry-After`.
    public var headers: [(name: String, value: String)]
    public let underlying: (any Error)?

    public init(
        _ code: Code,
        _ message: String,
        details: JSONValue? = nil,
        headers: [(name: String, value: String)] = [],
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
        self.underlying = underlying
    }

    public var status: Int { code.status }

    public var description: String { "\(code.name) (\(code.status)): \(message)" }
}

extension RelayError {
    public static func invalidParam(_ field: String, _ message: String, type: String = "invalid") -> RelayError {
        RelayError(.invalidParam, message, details: ["field": .string(field), "type": .string(type)])
    }

    /// Every problem of a request at once, as (field, message), the first named in `field` and all in
    /// `details.problems`; `nil` when there are none.
    public static func problems(_ problems: [(String, String)]) -> RelayError? {
        guard let first = problems.first else { return nil }
        return RelayError(
            .invalidParam, problems.count == 1 ? first.1 : "\(first.1) (and \(problems.count - 1) more problems)",
            details: [
                "field": .string(first.0), "type": "invalid",
                "problems": .array(problems.map { ["field": .string($0.0), "message": .string($0.1)] }),
            ]
        )
    }

    public static func required(_ field: String) -> RelayError {
        .invalidParam(field, "Parameter '\(field)' is required", type: "required")
    }

    public static func unauthorized(_ message: String) -> RelayError {
        RelayError(.unauthorized, message, headers: [("WWW-Authenticate", "Bearer realm=\"api\"")])
    }

    public static func accessDenied(_ message: String) -> RelayError {
        RelayError(.accessDenied, message)
    }

    public static func notFound(_ message: String) -> RelayError {
        RelayError(.notFound, message)
    }

    public static func internalError(_ underlying: any Error) -> RelayError {
        RelayError(.internalError, "The server could not complete the request", underlying: underlying)
    }
}
