import Core
import Foundation
import Hummingbird

/// Answers a run request in the mode asked for: `blocking` (the finished run) or `streaming` (Dify's workflow events
/// as they happen). Shared by the Public API's runs and the editor's draft runs.
struct WorkflowRunner {
    let workflows: WorkflowService
    let pingInterval: Duration
    let now: @Sendable () -> Date

    enum ResponseMode: String, CaseIterable {
        case blocking, streaming
    }

    /// `settle` is told how the run ended (tokens, credits), whatever the mode.
    func respond(
        _ prepared: WorkflowService.PreparedRun, mode: ResponseMode, request: Request, context: some RequestContext,
        settle: @escaping @Sendable (WorkflowRun?) async -> Void
    ) async throws -> Response {
        let run = prepared.run
        switch mode {
        case .blocking:
            let finished: WorkflowRun
            do {
                finished = try await workflows.execute(prepared) { _ in }
            } catch {
                await settle(nil)
                throw error
            }
            await settle(finished)
            let body: JSONValue = [
                "task_id": .string(run.taskID), "workflow_run_id": .string(run.id.description), "data": WorkflowJSON.run(finished),
            ]
            return try JSONBody(body).response(from: request, context: context)
        case .streaming:
            let (workflows, now) = (self.workflows, self.now)
            return EventStream.response(pingInterval: pingInterval) { frames in
                do {
                    let finished = try await workflows.execute(prepared) { event in
                        frames.yield(EventStream.frame(WorkflowJSON.event(event, of: run, at: now())))
                    }
                    await settle(finished)
                } catch {
                    await settle(nil)
                    let failure = error as? RelayError ?? RelayError(.serviceUnavailable, "The run could not be started; try again shortly")
                    frames.yield(
                        EventStream.frame([
                            "event": "error", "task_id": .string(run.taskID), "workflow_run_id": .string(run.id.description),
                            "status": .number(Double(failure.code.status)), "code": .string(failure.code.name), "message": .string(failure.message),
                        ])
                    )
                }
            }
        }
    }
}
