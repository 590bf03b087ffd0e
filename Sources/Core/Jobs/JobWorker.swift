public import Foundation
public import Logging
public import ServiceLifecycle

/// Claims queued jobs and runs them, in every instance: a few at a time, each under a lease it renews while working.
/// A worker that dies (crash, `kill -9`) stops renewing; once its lease runs out the job is claimed again, by any
/// instance, and resumes. Shut down gracefully, it stops claiming and lets running jobs end by their leases' timeout
/// rather than waiting for them.
public struct JobWorker: Service {
    public struct Settings: Sendable {
        /// How long a claim holds without renewal; renewed every third of it.
        public var lease: Duration
        /// How often to look for jobs queued by other instances.
        public var pollInterval: Duration
        /// Jobs run at once by this instance.
        public var concurrency: Int
        /// Runs of one job before a transient failure counts as final.
        public var maxAttempts: Int
        /// The wait before the first retry; doubled for each further one.
        public var retryBackoff: Duration

        public init(
            lease: Duration = .seconds(30), pollInterval: Duration = .seconds(1), concurrency: Int = 2, maxAttempts: Int = 5,
            retryBackoff: Duration = .seconds(2)
        ) {
            self.lease = lease
            self.pollInterval = pollInterval
            self.concurrency = concurrency
            self.maxAttempts = maxAttempts
            self.retryBackoff = retryBackoff
        }
    }

    let jobs: JobStore
    let pipeline: IndexingPipeline
    let annotations: AnnotationJobs
    let signal: IndexingSignal
    let ready: StartGate
    let settings: Settings
    /// Leases and retries run on the wall clock, which every instance shares; `now` (given to the pipeline) stamps
    /// the documents.
    private func now() -> Date { Date() }
    let instance: String
    let logger: Logger
    let metrics: JobMetrics

    public init(
        jobs: JobStore, datasets: DatasetStore, annotations: AnnotationStore, plans: PlanStore, models: ModelProviderService,
        converter: (any DocumentConverter)?,
        signal: IndexingSignal, ready: StartGate, settings: Settings, metrics: JobMetrics = .disabled, now: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.ready = ready
        self.metrics = metrics
        self.jobs = jobs
        self.pipeline = IndexingPipeline(
            store: datasets, models: models, plans: plans, extraction: TextExtraction(converter: converter), now: now, logger: logger
        )
        self.annotations = AnnotationJobs(store: annotations, jobs: jobs, models: models, now: now)
        self.signal = signal
        self.settings = settings
        self.instance = UUID().uuidString.lowercased()
        self.logger = logger
    }

    public func run() async throws {
        // Not before the schema is migrated: PostgreSQL's happens once its pool runs, beside this service.
        await withTaskCancellationOrGracefulShutdownHandler {
            await ready.wait()
        } onCancelOrGracefulShutdown: {
            ready.open()
        }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<max(1, settings.concurrency) {
                    group.addTask { await loop() }
                }
            }
        } onGracefulShutdown: {
            signal.wake()
        }
    }

    /// Reads the queue (waiting and leased jobs, all instances') into the metrics' gauges, and returns it.
    public func refreshQueueMetrics() async throws -> JobStore.Counts {
        try await metrics.refresh(from: jobs, at: now())
    }

    private func loop() async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let token = instance + "/" + UUID().uuidString.lowercased()
                if let claim = try await jobs.claim(leaseUntil: now().addingTimeInterval(settings.lease.seconds), token: token, at: now()) {
                    await work(on: claim)
                    continue
                }
                var wait = settings.pollInterval
                if let due = try await jobs.nextDue() {
                    wait = min(wait, .seconds(max(0.01, due.timeIntervalSince(now()))))
                }
                await signal.wait(upTo: wait)
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                // The database is away: try again shortly.
                logger.warning("Job queue unavailable", metadata: ["error": "\(RelayError.logDescription(of: error))"])
                await signal.wait(upTo: settings.pollInterval * 2)
            }
        }
    }

    private func runner(of kind: BackgroundJob.Kind) -> any JobRunner {
        switch kind {
        case .indexDocument: pipeline
        case .enableAnnotationReply, .disableAnnotationReply: annotations
        }
    }

    private func work(on claim: JobClaim) async {
        metrics.started()
        var ending = JobMetrics.Outcome.abandoned
        defer { metrics.ended(ending) }
        let runner = self.runner(of: claim.job.kind)
        let outcome = await withTaskGroup(of: BackgroundJob.Outcome?.self) { group in
            group.addTask { await runner.run(claim) }
            group.addTask {
                // The lease is renewed while the job runs; a renewal refused means the claim is gone.
                while !Task.isCancelled {
                    try? await Task.sleep(for: settings.lease / 3)
                    if Task.isCancelled { break }
                    let renewed = (try? await jobs.renew(claim, until: now().addingTimeInterval(settings.lease.seconds))) ?? true
                    if !renewed { break }
                }
                return nil
            }
            var outcome: BackgroundJob.Outcome = .abandoned
            while let next = await group.next() {
                if let next {
                    outcome = next
                    group.cancelAll()
                }
            }
            return outcome
        }
        do {
            switch outcome {
            case .finished:
                ending = .completed
                try await jobs.finish(claim, at: now())
            case .failed:
                ending = .failed
                try await jobs.finish(claim, at: now())
            case .abandoned:
                break
            case .retry(let reason):
                if claim.job.attempts >= settings.maxAttempts {
                    _ = await runner.giveUp(claim, "Failed \(claim.job.attempts) times; the last time: \(reason)")
                    ending = .failed
                    try await jobs.finish(claim, at: now())
                } else {
                    ending = .retried
                    let delay = settings.retryBackoff * (1 << min(claim.job.attempts - 1, 10))
                    logger.info("Job will be retried", metadata: ["job": "\(claim.job.id)", "error": "\(reason)"])
                    try await jobs.release(claim, retryAt: now().addingTimeInterval(delay.seconds), error: reason)
                }
            }
        } catch {
            logger.warning("Could not record a job's end", metadata: ["job": "\(claim.job.id)", "error": "\(RelayError.logDescription(of: error))"])
        }
    }
}
