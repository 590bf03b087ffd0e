import Core
import Foundation

/// Reads and checks an unpacked package: `manifest.yaml`, the provider YAML it lists and their tools' YAML.
///
/// Every problem found is collected, each with its file and field, so one upload shows them all.
struct PackageFolderReader {
    let root: URL
    private var problems: [PackageProblem] = []

    nonisolated(unsafe) static let namePattern = /^[a-zA-Z0-9_-]{1,128}$/
    nonisolated(unsafe) static let versionPattern = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/
    static let credentialTypes: Set = ["secret-input", "text-input", "select", "boolean"]
    static let parameterTypes: Set = [
        "string", "number", "boolean", "select", "secret-input", "file", "files", "array", "object", "model-selector",
        "app-selector", "tool-selector", "any", "dynamic-select", "checkbox",
    ]
    static let parameterForms: Set = ["schema", "form", "llm"]
    static let defaultMemory = 256 << 20
    static let maximumMemory = 4 << 30

    init(root: URL) { self.root = root }

    static func read(_ root: URL) throws(RelayError) -> PluginDeclaration {
        var reader = PackageFolderReader(root: root)
        let declaration = reader.declaration()
        guard reader.problems.isEmpty, let declaration else { throw .packageInvalid(reader.problems) }
        return declaration
    }

    private mutating func declaration() -> PluginDeclaration? {
        guard let manifest = load("manifest.yaml") else { return nil }
        let file = "manifest.yaml"
        let author = name(manifest["author"], file, "author")
        let name = name(manifest["name"], file, "name")
        let version = manifest["version"].string ?? ""
        if version.wholeMatch(of: Self.versionPattern) == nil {
            problem(file, "version", "must be a semantic version such as 0.1.0")
        }
        if manifest["type"].string != "plugin" { problem(file, "type", "must be 'plugin'") }
        if manifest["label"]["en_US"].string?.isEmpty != false { problem(file, "label.en_US", "is required") }
        var memory = Self.defaultMemory
        if !manifest["resource"]["memory"].isNull {
            if let value = manifest["resource"]["memory"].int, value > 0, value <= Self.maximumMemory {
                memory = value
            } else {
                problem(file, "resource.memory", "must be a number of bytes between 1 and \(Self.maximumMemory)")
            }
        }
        let permission = PluginPermission(manifest["resource"]["permission"])
        if permission.storage, permission.storageSize <= 0 {
            problem(file, "resource.permission.storage.size", "must be a positive number of bytes when storage is enabled")
        }
        let runner = self.runner(manifest["meta"]["runner"], file)
        var providers: [ToolProviderDeclaration] = []
        for (index, path) in manifest["plugins"]["tools"].array.enumerated() {
            guard let path = relativePath(path, file, "plugins.tools[\(index)]") else { continue }
            if let provider = toolProvider(path) { providers.append(provider) }
        }
        var modelProviders: [ModelProviderDeclaration] = []
        for (index, path) in manifest["plugins"]["models"].array.enumerated() {
            guard let path = relativePath(path, file, "plugins.models[\(index)]") else { continue }
            if let provider = modelProvider(path) { modelProviders.append(provider) }
        }
        let categories = [("tools", "tool"), ("models", "model"), ("endpoints", "extension"), ("agent_strategies", "agent-strategy")]
        guard let category = categories.first(where: { !manifest["plugins"][$0.0].array.isEmpty })?.1 else {
            problem(file, "plugins", "must list at least one of tools, models, endpoints or agent_strategies")
            return nil
        }
        if category == "tool", providers.isEmpty { return nil }
        guard let author, let name, let runner else { return nil }
        return PluginDeclaration(
            author: author, name: name, version: version, category: category, manifest: manifest, memory: memory,
            permission: permission, runner: runner, toolProviders: providers, modelProviderDeclarations: modelProviders
        )
    }

    private mutating func runner(_ runner: JSONValue, _ file: String) -> PluginDeclaration.Runner? {
        guard let language = runner["language"].string, ["python", "binary"].contains(language) else {
            problem(file, "meta.runner.language", "must be 'python' or 'binary'")
            return nil
        }
        guard let entrypoint = relativePath(runner["entrypoint"], file, "meta.runner.entrypoint") else { return nil }
        if language == "python" {
            let module = entrypoint.replacingOccurrences(of: ".", with: "/")
            if !exists(module + ".py") && !exists(module + "/__init__.py") {
                problem(file, "meta.runner.entrypoint", "names the module '\(entrypoint)', but there is no \(module).py")
            }
        } else if !FileManager.default.isExecutableFile(atPath: root.appendingPathComponent(entrypoint).path) {
            problem(file, "meta.runner.entrypoint", "names '\(entrypoint)', which is not an executable file in the package")
        }
        return .init(language: language, entrypoint: entrypoint)
    }

    private mutating func toolProvider(_ file: String) -> ToolProviderDeclaration? {
        guard let provider = load(file) else { return nil }
        let name = name(provider["identity"]["name"], file, "identity.name")
        var credentials: [CredentialField] = []
        if case .object(let fields) = provider["credentials_for_provider"] {
            for (fieldName, field) in fields.sorted(by: { $0.key < $1.key }) {
                let type = field["type"].string ?? ""
                if !Self.credentialTypes.contains(type) {
                    problem(
                        file, "credentials_for_provider.\(fieldName).type", "must be one of \(Self.credentialTypes.sorted().joined(separator: ", "))")
                }
                credentials.append(CredentialField(name: fieldName, type: type, required: field["required"].bool ?? false, declaration: field))
            }
        } else if !provider["credentials_for_provider"].isNull {
            problem(file, "credentials_for_provider", "must be a mapping of field names to fields")
        }
        var tools: [ToolDeclaration] = []
        for (index, path) in provider["tools"].array.enumerated() {
            guard let path = relativePath(path, file, "tools[\(index)]"), let tool = tool(path) else { continue }
            if tools.contains(where: { $0.name == tool.name }) {
                problem(path, "identity.name", "'\(tool.name)' is declared twice in \(file)")
            }
            tools.append(tool)
        }
        if provider["tools"].array.isEmpty { problem(file, "tools", "must list at least one tool YAML file") }
        guard let name else { return nil }
        return ToolProviderDeclaration(name: name, identity: provider["identity"], credentials: credentials, tools: tools)
    }

    static let modelTypes: Set = ["llm", "text-embedding", "rerank", "tts", "speech2text", "moderation"]

    private mutating func modelProvider(_ file: String) -> ModelProviderDeclaration? {
        guard let provider = load(file) else { return nil }
        let name = name(provider["provider"], file, "provider")
        var credentials: [CredentialField] = []
        for (index, field) in provider["provider_credential_schema"]["credential_form_schemas"].array.enumerated() {
            let type = field["type"].string ?? ""
            guard let variable = field["variable"].string, !variable.isEmpty else {
                problem(file, "provider_credential_schema.credential_form_schemas[\(index)].variable", "is required")
                continue
            }
            if !Self.credentialTypes.contains(type) {
                problem(file, "provider_credential_schema.credential_form_schemas[\(index)].type", "'\(type)' is not a credential type")
            }
            credentials.append(CredentialField(name: variable, type: type, required: field["required"].bool ?? false, declaration: field))
        }
        var models: [ModelDeclaration] = []
        if case .object(let byType) = provider["models"] {
            for (type, listing) in byType.sorted(by: { $0.key < $1.key }) {
                for (index, pattern) in listing["predefined"].array.enumerated() {
                    guard let pattern = relativePath(pattern, file, "models.\(type).predefined[\(index)]") else { continue }
                    for path in expand(pattern) {
                        guard let model = load(path) else { continue }
                        guard let modelName = model["model"].string, !modelName.isEmpty else {
                            problem(path, "model", "is required")
                            continue
                        }
                        let modelType = model["model_type"].string ?? type
                        if !Self.modelTypes.contains(modelType) { problem(path, "model_type", "'\(modelType)' is not a model type") }
                        models.append(ModelDeclaration(name: modelName, type: modelType, declaration: model))
                    }
                }
            }
        }
        guard let name else { return nil }
        return ModelProviderDeclaration(name: name, declaration: provider, credentials: credentials, models: models)
    }

    /// A package path, or the YAML files a `folder/*.yaml` pattern names.
    private func expand(_ pattern: String) -> [String] {
        guard pattern.hasSuffix("/*.yaml") || pattern.hasSuffix("/*.yml") else { return [pattern] }
        let folder = String(pattern[..<pattern.lastIndex(of: "/")!])
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { folder + "/" + $0 }
    }

    private mutating func tool(_ file: String) -> ToolDeclaration? {
        guard let tool = load(file) else { return nil }
        let name = name(tool["identity"]["name"], file, "identity.name")
        var parameters: [ToolParameter] = []
        if !tool["parameters"].isNull, case .array = tool["parameters"] {
        } else if !tool["parameters"].isNull {
            problem(file, "parameters", "must be a list")
        }
        for (index, parameter) in tool["parameters"].array.enumerated() {
            let field = "parameters[\(index)]"
            guard let parameterName = parameter["name"].string, !parameterName.isEmpty else {
                problem(file, "\(field).name", "is required")
                continue
            }
            // Dify's SDK refuses to load a tool whose parameters lack these: refuse it here, where the file can be named.
            for required in ["label", "human_description"] where parameter[required]["en_US"].string == nil {
                problem(file, "\(field).\(required).en_US", "is required")
            }
            let type = parameter["type"].string ?? ""
            if !Self.parameterTypes.contains(type) { problem(file, "\(field).type", "'\(type)' is not a parameter type") }
            if let form = parameter["form"].string, !Self.parameterForms.contains(form) {
                problem(file, "\(field).form", "must be schema, form or llm")
            }
            if parameters.contains(where: { $0.name == parameterName }) { problem(file, "\(field).name", "'\(parameterName)' is declared twice") }
            let options = parameter["options"].array.compactMap { $0["value"].string ?? $0.string }
            parameters.append(ToolParameter(name: parameterName, type: type, required: parameter["required"].bool ?? false, options: options))
        }
        guard let name else { return nil }
        return ToolDeclaration(name: name, declaration: tool, parameters: parameters)
    }

    // MARK: Helpers

    private mutating func load(_ file: String) -> JSONValue? {
        let url = root.appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            problem(file, "", "is missing from the package")
            return nil
        }
        do {
            return try YAMLDocument.load(String(decoding: data, as: UTF8.self), file: file)
        } catch {
            problems.append(error)
            return nil
        }
    }

    private mutating func name(_ value: JSONValue, _ file: String, _ field: String) -> String? {
        guard let text = value.string, text.wholeMatch(of: Self.namePattern) != nil else {
            problem(file, field, "must be 1 to 128 letters, digits, '_' or '-'")
            return nil
        }
        return text
    }

    /// A path inside the package: relative, without `..`, and present.
    private mutating func relativePath(_ value: JSONValue, _ file: String, _ field: String) -> String? {
        guard let path = value.string, !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            problem(file, field, "must be a path inside the package")
            return nil
        }
        return path
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) }

    private mutating func problem(_ file: String, _ field: String, _ message: String) {
        problems.append(PackageProblem(file, field, message))
    }
}
