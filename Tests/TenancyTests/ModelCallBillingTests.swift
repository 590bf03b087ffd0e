import Core
import Foundation
import Testing

@testable import Tenancy

@Suite("What a model call costs")
struct ModelCallBillingTests {
    @Test("a call's tokens are counted; its credit is spent only when it answered")
    func settlement() {
        let answered = ModelCallBilling.settlement(of: .init(tokens: 18, answered: true), reserved: 1)
        #expect(answered == .init(tokensCounted: 18, creditsSpent: 1))
        let unanswered = ModelCallBilling.settlement(of: .init(tokens: 7, answered: false), reserved: 1)
        #expect(unanswered == .init(tokensCounted: 7, creditsSpent: 0))
        #expect(ModelCallBilling.settlement(of: .none, reserved: 1) == .nothing)
        #expect(ModelCallBilling.settlement(of: .init(tokens: -3, answered: false), reserved: 1) == .nothing)
    }

    @Test("a workflow run answered when its LLM nodes used tokens, however it ended; one that could not start, not")
    func workflowRuns() {
        func run(_ status: WorkflowRun.Status, tokens: Int) -> WorkflowRun {
            WorkflowRun(
                id: WorkflowRunID(), workspaceID: WorkspaceID(), appID: AppID(), workflowID: "v1", taskID: "task", trigger: .appRun,
                endUser: "user", status: status, inputs: [:], totalTokens: tokens, createdAt: Date(timeIntervalSince1970: 0)
            )
        }
        #expect(ModelCallBilling.Outcome.workflowRun(run(.succeeded, tokens: 18)) == .init(tokens: 18, answered: true))
        #expect(ModelCallBilling.Outcome.workflowRun(run(.failed, tokens: 5)) == .init(tokens: 5, answered: true))
        #expect(ModelCallBilling.Outcome.workflowRun(run(.succeeded, tokens: 0)) == .none)
        #expect(ModelCallBilling.Outcome.workflowRun(nil) == .none)
    }
}
