/// Credentials as a form takes them: empty values dropped, names the form lacks refused, a secret sent back exactly as
/// it was shown masked replaced by its stored value (so a form can be saved again without retyping its keys), and
/// every required field present.
public struct CredentialForm: Sendable {
    public let fields: [CredentialField]
    /// Who the form is for, in messages (`openai`, `author/plugin/provider`).
    public let owner: String

    public init(fields: [CredentialField], owner: String) {
        self.fields = fields
        self.owner = owner
    }

    public func accept(_ credentials: [String: String], previous: [String: String]?) throws -> [String: String] {
        var credentials = credentials.filter { !$0.value.isEmpty }
        if let unknown = credentials.keys.sorted().first(where: { name in !fields.contains { $0.name == name } }) {
            let accepted = fields.map(\.name).joined(separator: ", ")
            throw RelayError.invalidParam("credentials.\(unknown)", "\(owner) takes no credential '\(unknown)'; it takes \(accepted)")
        }
        for field in fields where field.isSecret {
            if let old = previous?[field.name], credentials[field.name] == Self.mask(old) { credentials[field.name] = old }
        }
        for field in fields where field.isRequired && credentials[field.name] == nil {
            throw RelayError.required("credentials.\(field.name)")
        }
        return credentials
    }

    /// The stored credentials with every secret masked.
    public func masked(_ credentials: [String: String]) -> [String: String] {
        var credentials = credentials
        for field in fields where field.isSecret {
            if let value = credentials[field.name] { credentials[field.name] = Self.mask(value) }
        }
        return credentials
    }

    /// Dify's masking: the first six and last two characters around twelve stars; all stars for short values.
    public static func mask(_ value: String) -> String {
        value.count > 8
            ? String(value.prefix(6)) + String(repeating: "*", count: 12) + String(value.suffix(2))
            : String(repeating: "*", count: value.count)
    }
}
