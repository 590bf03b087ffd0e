import HTTPTypes

extension HTTPFields {
    /// Appends name–value pairs as our services describe headers (`RelayError.headers`, rate-limit decisions).
    mutating func append(_ pairs: [(name: String, value: String)]) {
        for (name, value) in pairs {
            if let name = HTTPField.Name(name) { append(HTTPField(name: name, value: value)) }
        }
    }
}
