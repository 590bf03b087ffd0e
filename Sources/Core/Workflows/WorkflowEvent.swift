/// What a run reports while it runs, in the order it happens; the gateway turns these into Dify's SSE events.
public enum WorkflowEvent: Sendable {
    case workflowStarted(WorkflowRun)
    case nodeStarted(WorkflowNodeExecution)
    case nodeFinished(WorkflowNodeExecution)
    /// A piece of an LLM node's answer that an end node returns as it is (`from_variable_selector`).
    case textChunk(String, selector: [String])
    case workflowFinished(WorkflowRun)
}
