public import AsyncHTTPClient

/// Runs a `code` node's Python in a sandbox outside the server process; the plugin host serves it and Gateway wires it
/// in (Core imports no plugin code).
public protocol CodeSandbox: Sendable {
    /// Runs Dify's convention, `def main(<inputs>) -> dict`, and returns the dict it returned. A failure of the code
    /// (an exception, a wrong result, the time limit, a sandbox refusal) throws a `RelayError` saying what happened.
    func runPython(_ code: String, inputs: [String: JSONValue], timeout: Duration) async throws -> JSONValue
}

/// What the steps of a run may call beyond the run itself.
public struct WorkflowServices: Sendable {
    let models: ModelProviderService
    let code: (any CodeSandbox)?
    let toolbox: (any AgentToolbox)?
    let http: WorkflowHTTPSettings
    /// The workspace's knowledge bases, for `knowledge-retrieval` nodes.
    let knowledge: DatasetService?
    /// How long one attempt of a node that calls out (llm, http-request, tool, code) may take, unless it sets its own
    /// `timeout`.
    let nodeTimeout: Duration

    public init(
        models: ModelProviderService, code: (any CodeSandbox)?, toolbox: (any AgentToolbox)?, http: WorkflowHTTPSettings,
        knowledge: DatasetService? = nil, nodeTimeout: Duration = .seconds(600)
    ) {
        self.knowledge = knowledge
        self.models = models
        self.code = code
        self.toolbox = toolbox
        self.http = http
        self.nodeTimeout = nodeTimeout
    }
}

/// How `http-request` nodes reach out: the client, and the operator's bounds.
public struct WorkflowHTTPSettings: Sendable {
    let client: HTTPClient
    /// Whether private, loopback and link-local targets may be called (the operator's `--workflow-http-allow-private`).
    let allowsPrivateTargets: Bool
    /// The largest response body a node keeps; a longer one fails the node.
    let maxResponseBytes: Int
    /// The longest a request may take, whatever the node asks for.
    let maxTimeout: Duration

    public init(client: HTTPClient, allowsPrivateTargets: Bool = false, maxResponseBytes: Int = 10 << 20, maxTimeout: Duration = .seconds(300)) {
        self.client = client
        self.allowsPrivateTargets = allowsPrivateTargets
        self.maxResponseBytes = maxResponseBytes
        self.maxTimeout = maxTimeout
    }
}
