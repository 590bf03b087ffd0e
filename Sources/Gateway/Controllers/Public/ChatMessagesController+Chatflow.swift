import Core
import Foundation
import Hummingbird
import Tenancy

/// `advanced-chat` apps answer `POST /chat-messages` through their published workflow: the answer nodes' text is the
/// answer, streamed as `message` events among the workflow's own events, with `message_end` before
/// `workflow_finished`.
extension ChatMessagesController {
    func answerWithWorkflow(_ query: ChatQuery, mode: ResponseMode, request: Request, context: PublicContext) async throws -> Response {
        let charge = try await billing.begin(for: context.grant)
        let turn: ChatflowTurn
        do {
            turn = try await chat.prepareChatflow(query)
        } catch {
            await charge.cancel()
            throw error
        }
        let now = self.now
        let envelope = Envelope(message: turn.message)
        switch mode {
        case .blocking:
            let result = await chat.runChatflow(turn) { _ in }
            await charge.settle(.chatflow(result))
            if case .failed(let error) = result.ending { throw error }
            var body = envelope.fields(event: "message")
            body["mode"] = "advanced-chat"
            body["answer"] = .string(result.message.answer)
            body["metadata"] = Envelope.metadata(result.usage)
            return try JSONBody(.object(body)).response(from: request, context: context)
        case .streaming:
            let chat = self.chat
            let run = turn.run.run
            return EventStream.response(pingInterval: pingInterval) { frames in
                let result = await chat.runChatflow(turn) { event in
                    switch event {
                    case .textChunk(let text, _):
                        var fields = envelope.fields(event: "message")
                        fields["answer"] = .string(text)
                        frames.yield(EventStream.frame(.object(fields)))
                    case .workflowFinished(let finished):
                        if finished.status != .failed {
                            var end = envelope.fields(event: "message_end")
                            end["metadata"] = Envelope.metadata(
                                MessageUsage(
                                    tokens: finished.usage ?? TokenCounts(prompt: 0, completion: 0), price: .free, latency: finished.elapsedTime)
                            )
                            frames.yield(EventStream.frame(.object(end)))
                        }
                        frames.yield(EventStream.frame(Self.chatflowEvent(event, of: run, envelope: envelope, at: now())))
                    default:
                        frames.yield(EventStream.frame(Self.chatflowEvent(event, of: run, envelope: envelope, at: now())))
                    }
                }
                await charge.settle(.chatflow(result))
                if case .failed(let error) = result.ending {
                    var event = envelope.fields(event: "error")
                    event["status"] = .number(Double(error.code.status))
                    event["code"] = .string(error.code.name)
                    event["message"] = .string(error.message)
                    frames.yield(EventStream.frame(.object(event)))
                }
            }
        }
    }

    /// A workflow event of a chatflow: as a workflow's, with the message's ids beside.
    static func chatflowEvent(_ event: WorkflowEvent, of run: WorkflowRun, envelope: Envelope, at date: Date) -> JSONValue {
        guard case .object(var fields) = WorkflowJSON.event(event, of: run, at: date) else { return .null }
        fields["message_id"] = .string(envelope.message.id.description)
        fields["conversation_id"] = envelope.message.conversationID.map { .string($0.description) } ?? .null
        return .object(fields)
    }
}
