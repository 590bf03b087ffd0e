public import Core

/// One thing wrong with a plugin package: the file, the field in it, and what is wrong.
public struct PackageProblem: Error, Sendable, Hashable {
    public let file: String
    public let field: String
    public let message: String

    public init(_ file: String, _ field: String, _ message: String) {
        self.file = file
        self.field = field
        self.message = message
    }
}

extension RelayError {
    /// A package refused with every problem found, each naming its file and field.
    static func packageInvalid(_ problems: [PackageProblem]) -> RelayError {
        let first = problems.first.map { "\($0.file): \($0.field.isEmpty ? "" : "\($0.field): ")\($0.message)" } ?? "invalid package"
        return RelayError(
            .pluginPackageInvalid,
            problems.count == 1
                ? "The plugin package is invalid: \(first)" : "The plugin package is invalid: \(first) (and \(problems.count - 1) more)",
            details: [
                "problems": .array(
                    problems.map { ["file": .string($0.file), "field": .string($0.field), "message": .string($0.message)] }
                )
            ]
        )
    }
}
