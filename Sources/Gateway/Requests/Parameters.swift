import Core
import Foundation
import Hummingbird

extension Identifier {
    /// Parses a path or body id, answering 400 `invalid_param` naming `field` when it is not a UUID.
    static func parse(_ text: String, field: String) throws -> Identifier {
        guard let id = Identifier(text) else { throw RelayError.invalidParam(field, "\(field) must be a UUID") }
        return id
    }
}

extension RequestContext {
    /// A UUID path parameter, 400 `invalid_param` when malformed.
    func id<Entity>(_ name: String, field: String? = nil) throws -> Identifier<Entity> {
        try Identifier.parse(try parameters.require(name), field: field ?? name)
    }
}

extension Request {
    /// An integer query parameter, `fallback` when absent or empty; 400 `invalid_param` when it is not an integer.
    func queryInt(_ name: String, default fallback: Int) throws -> Int {
        guard let text = try queryString(name), !text.isEmpty else { return fallback }
        guard let value = Int(text) else { throw RelayError.invalidParam(name, "\(name) must be an integer") }
        return value
    }

    /// A boolean query parameter (`true`/`1`/`yes`, `false`/`0`/`no`), `fallback` when absent or empty; 400
    /// `invalid_param` otherwise.
    func queryBool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = try queryString(name)?.lowercased(), !text.isEmpty else { return fallback }
        switch text {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw RelayError.invalidParam(name, "\(name) must be true or false")
        }
    }

    /// Every value of a repeated UUID query parameter (`?ids=a&ids=b`), at most `limit` of them: each goes into one
    /// statement, and the engines bound how many values a statement may carry.
    func queryIDs<Entity>(_ name: String, limit: Int) throws -> [Identifier<Entity>] {
        let values = queryValues(name)
        guard values.count <= limit else { throw RelayError.invalidParam(name, "At most \(limit) \(name) can be given", type: "too_long") }
        return try values.map { try Identifier.parse(String($0), field: name) }
    }

    /// A query parameter, `nil` when absent; 400 `invalid_param` when given more than once (`?page=1&page=2`), since
    /// which value was meant is anyone's guess. Repeated parameters (`?ids=a&ids=b`) are read with `getAll`.
    func queryString(_ name: String) throws -> String? {
        let values = queryValues(name)
        guard values.count <= 1 else { throw RelayError.invalidParam(name, "\(name) may be given only once", type: "repeated") }
        return values.first
    }

    /// Every value of a query parameter, decoded as HTML forms and Python's `requests` encode them: `+` is a space
    /// (`?keyword=sdk+kb` is "sdk kb"), `%2B` a plus. Hummingbird's own parameters keep the `+`.
    func queryValues(_ name: String) -> [String] {
        guard let query = uri.query, !query.isEmpty else { return [] }
        var values: [String] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.formDecoded(parts[0]) == name else { continue }
            values.append(parts.count > 1 ? Self.formDecoded(parts[1]) : "")
        }
        return values
    }

    private static func formDecoded(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// Parses a wire enum by raw value, listing the accepted values when it is not one of them.
func parseEnum<Value: RawRepresentable & CaseIterable>(_ raw: String, field: String) throws -> Value
where Value.RawValue == String {
    guard let value = Value(rawValue: raw) else {
        let accepted = Value.allCases.map(\.rawValue).joined(separator: ", ")
        throw RelayError.invalidParam(field, "\(field) must be one of \(accepted)", type: "enum")
    }
    return value
}

/// A route whose provider id is Dify's `author/plugin/provider`, slashes and all: `**` in the route's path, followed
/// by the route's constant segments (`model-providers/**/credentials`), so that the router itself tells the methods of
/// each apart (404 and 405 with `Allow` as for any route).
enum ProviderPath {
    /// The provider id of a route's `**` (percent-decoded, joined with slashes).
    static func provider(_ parts: [Substring]) throws -> String {
        try split(parts, trailing: 0).provider
    }

    /// The provider id (all but the last `trailing` parts, percent-decoded) and the trailing parts; 404 when too short.
    static func split(_ parts: [Substring], trailing: Int) throws -> (provider: String, rest: [String]) {
        guard parts.count > trailing else { throw RelayError.notFound("No such route") }
        let provider = parts.dropLast(trailing).map { $0.removingPercentEncoding ?? String($0) }.joined(separator: "/")
        return (provider, parts.suffix(trailing).map(String.init))
    }
}
