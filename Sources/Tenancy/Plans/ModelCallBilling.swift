public import Core
public import Foundation
import Synchronization

/// What a model call costs, and charging it: the one rule for chat, agent, completion and chatflow messages and
/// workflow runs.
///
/// A call costs one message credit. It is reserved before the model is called, so a workspace without credits is
/// refused before any work and concurrent calls cannot spend more than it has. When the call ends its ``Charge`` is
/// settled once: the credit is spent if the call answered and given back if not, and the tokens it used are counted
/// against the workspace, its app and its key. What "answered" and "the tokens it used" mean for each kind of call is
/// its ``Outcome``; the rule that turns an outcome into credits and tokens is ``settlement(of:reserved:)``.
public struct ModelCallBilling: Sendable {
    let credits: CreditLedger
    let usage: UsageRecorder
    let now: @Sendable () -> Date

    public init(credits: CreditLedger, usage: UsageRecorder, now: @escaping @Sendable () -> Date) {
        self.credits = credits
        self.usage = usage
        self.now = now
    }

    /// Message credits one model call reserves, and spends when it answers.
    public static let creditsPerCall = 1

    /// Reserves the credit of one call made with `grant`'s key: 400 `provider_quota_exceeded` when its workspace has
    /// none left this month.
    public func begin(for grant: PublicGrant) async throws -> Charge {
        let reservation = try await credits.reserve(Self.creditsPerCall, for: grant.workspaceID, limits: grant.plan.limits, at: now())
        return Charge(reservation: reservation, grant: grant, billing: self)
    }

    /// How a call ended, in the two facts billing needs.
    public struct Outcome: Sendable, Equatable {
        /// Tokens the call used that count against the workspace (none when 0 or less).
        public let tokens: Int
        /// Whether the call answered: what spends its reserved credit.
        public let answered: Bool

        public init(tokens: Int, answered: Bool) {
            self.tokens = tokens
            self.answered = answered
        }

        /// A call that never reached the model, or reported nothing: no tokens, its credit given back.
        public static let none = Outcome(tokens: 0, answered: false)
    }

    /// What settling a charge does; ``Charge/settle(_:)`` performs it.
    public struct Settlement: Sendable, Equatable {
        /// Tokens to count against the workspace, its app and its key.
        public let tokensCounted: Int
        /// Credits spent of those reserved; the rest are given back.
        public let creditsSpent: Int

        /// A charge already settled: nothing more to do.
        public static let nothing = Settlement(tokensCounted: 0, creditsSpent: 0)
    }

    /// The rule: a call's tokens are counted, and its reserved credits are spent only if it answered.
    public static func settlement(of outcome: Outcome, reserved: Int) -> Settlement {
        Settlement(tokensCounted: max(0, outcome.tokens), creditsSpent: outcome.answered ? reserved : 0)
    }

    /// The credit one running call holds. Settle it (or cancel it) when the call ends; only the first of those counts,
    /// so every way a call can end may settle without giving the credit back twice.
    public final class Charge: Sendable {
        let reservation: CreditLedger.Reservation
        let grant: PublicGrant
        let billing: ModelCallBilling
        private let isHeld = Atomic(true)

        init(reservation: CreditLedger.Reservation, grant: PublicGrant, billing: ModelCallBilling) {
            self.reservation = reservation
            self.grant = grant
            self.billing = billing
        }

        /// Ends the call's charge: counts its tokens and spends or gives back its credit, as ``settlement(of:reserved:)``
        /// decides.
        public func settle(_ outcome: Outcome) async {
            guard isHeld.exchange(false, ordering: .acquiringAndReleasing) else { return }
            let settlement = ModelCallBilling.settlement(of: outcome, reserved: reservation.amount)
            if settlement.tokensCounted > 0 {
                billing.usage.recordTokens(settlement.tokensCounted, for: grant, at: billing.now())
            }
            // The call's answer stands whether or not its credit could be written, so failing to write it is no error
            // of the call's.
            try? await billing.credits.settle(reservation, used: settlement.creditsSpent)
        }

        /// Gives the credit back: the call never reached the model.
        public func cancel() async {
            await settle(.none)
        }
    }
}

extension ModelCallBilling.Outcome {
    /// A chat, agent or completion message. It answered when it completed, or was stopped after part of its answer
    /// came back; a failure spends nothing, even after part of an answer. Its tokens count only when some answer came
    /// back: without one they are an estimate of a prompt the upstream refused.
    /// One an annotation answered never reached a model and spends nothing.
    public static func message(_ result: ChatResult) -> Self {
        guard result.message.annotationReply == nil else { return Self(tokens: 0, answered: false) }
        let hasAnswer = !result.message.answer.isEmpty
        let answered: Bool =
            switch result.ending {
            case .completed: true
            case .stopped: hasAnswer
            case .failed: false
            }
        return Self(tokens: hasAnswer ? result.usage.totalTokens : 0, answered: answered)
    }

    /// An `advanced-chat` message, answered by its app's workflow. It answered when its answer nodes produced text,
    /// however the run ended; its tokens are those its LLM nodes reported.
    public static func chatflow(_ result: ChatResult) -> Self {
        Self(tokens: result.usage.totalTokens, answered: !result.message.answer.isEmpty)
    }

    /// A workflow run (`nil` when it could not start). It answered when its LLM nodes used tokens, however it ended: a
    /// run of only code, HTTP or template nodes costs no credit.
    public static func workflowRun(_ run: WorkflowRun?) -> Self {
        let tokens = run?.totalTokens ?? 0
        return Self(tokens: tokens, answered: tokens > 0)
    }
}
