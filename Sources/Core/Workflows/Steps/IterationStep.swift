/// `iteration`: runs its inside once per item of an array (in order, or up to `parallel_nums` at once) and gives the
/// list of what `output_selector` held at the end of each. Inside, `[iteration, item]` and `[iteration, index]` are
/// the current item and its index.
struct IterationStep: WorkflowStep {
    enum ErrorMode: String, Sendable {
        case terminated
        case continueOnError = "continue-on-error"
        case removeAbnormalOutput = "remove-abnormal-output"
    }

    /// The most items run at once, whatever the node asks for.
    static let maxParallel = 10

    let body: CompiledGraph?
    let iterator: [String]?
    let output: [String]?
    let outputType: WorkflowValueType
    let parallel: Int
    let errorMode: ErrorMode

    init(_ configuration: inout NodeConfiguration, body: CompiledGraph?, steps: [String: any WorkflowStep]) {
        self.body = body
        iterator = configuration.selector(configuration["iterator_selector"], field: "iterator_selector")
        output = configuration.selector(configuration["output_selector"], field: "output_selector")
        if let output, body?.nodes[output[0]] == nil {
            configuration.problem("output_selector", "output_selector must read a node inside this iteration, not \(output[0])")
        } else if let output, let declared = steps[output[0]]?.outputs, declared[output[1]] == nil {
            configuration.problem("output_selector", "node \(output[0]) gives no '\(output[1])'")
        }
        if let iterator, let type = steps[iterator[0]]?.outputs?[iterator[1]], !type.isArray, type != .any {
            configuration.problem("iterator_selector", "an iteration runs over an array, but \(iterator.joined(separator: ".")) is of type \(type)")
        }
        let element = output.flatMap { steps[$0[0]]?.outputs?[$0[1]] } ?? .any
        outputType = .array(of: element)
        let asked = configuration["parallel_nums"].int ?? Self.maxParallel
        parallel = configuration["is_parallel"].bool == true ? min(max(asked, 1), Self.maxParallel) : 1
        let mode = configuration["error_handle_mode"].string ?? "terminated"
        if let errorMode = ErrorMode(rawValue: mode) {
            self.errorMode = errorMode
        } else {
            configuration.problem("error_handle_mode", "error_handle_mode must be terminated, continue-on-error or remove-abnormal-output")
            errorMode = .terminated
        }
    }

    var outputs: [String: WorkflowValueType]? { ["output": outputType] }

    var reads: [(field: String, selector: [String])] { iterator.map { [("iterator_selector", $0)] } ?? [] }

    func run(_ context: StepContext) async throws -> StepResult {
        guard let body, let iterator, let output else { return StepResult() }
        let value = context.pool.value(iterator) ?? .null
        guard case .array(let items) = value else {
            if value.isNull { return StepResult(inputs: ["iterator_selector": .null], outputs: ["output": []]) }
            throw RelayError(
                .workflowNodeFailed, "The iteration runs over an array, but \(iterator.joined(separator: ".")) holds \(WorkflowValueType.of(value))")
        }
        let id = context.node.id
        @Sendable func one(_ index: Int) async throws -> JSONValue? {
            var pool = context.pool
            pool.set(["item": items[index], "index": .number(Double(index))], of: id)
            do {
                let result = try await WorkflowEngine.run(body, pool: pool, context: context.run, iteration: (id, index))
                return result.pool.value(output) ?? .null
            } catch is WorkflowEngine.NodeFailure where errorMode != .terminated {
                return errorMode == .continueOnError ? .null : nil
            }
        }
        var results = [JSONValue?](repeating: nil, count: items.count)
        try await withThrowingTaskGroup(of: (Int, JSONValue?).self) { group in
            var next = 0
            while next < min(parallel, items.count) {
                let index = next
                group.addTask { (index, try await one(index)) }
                next += 1
            }
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await one(index)) }
                    next += 1
                }
            }
        }
        let collected: [JSONValue] = errorMode == .removeAbnormalOutput ? results.compactMap { $0 } : results.map { $0 ?? .null }
        return StepResult(inputs: ["iterator_selector": value], outputs: ["output": .array(collected)])
    }
}
