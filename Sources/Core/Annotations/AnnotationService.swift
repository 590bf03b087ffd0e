public import Foundation
public import Logging

/// Apps' annotations and their reply: writing them, turning reply on and off (a job embeds the questions), and
/// answering a query from the closest annotation.
public struct AnnotationService: Sendable {
    let store: AnnotationStore
    let jobs: JobStore
    let models: ModelProviderService
    let signal: IndexingSignal
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        store: AnnotationStore, jobs: JobStore, models: ModelProviderService, signal: IndexingSignal, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.jobs = jobs
        self.models = models
        self.signal = signal
        self.logger = logger
        self.now = now
    }

    /// The paging of annotation lists: Dify's, at most 100 a page.
    public static let maxLimit = 100

    public func annotations(of app: App, matching query: AnnotationQuery) async throws -> Page<Annotation> {
        try Paging.check(page: query.page, limit: query.limit, maxLimit: Self.maxLimit)
        return try await store.annotations(of: app.id, in: app.workspaceID, matching: query)
    }

    public func count(of app: App) async throws -> Int {
        try await store.count(of: app.id, in: app.workspaceID)
    }

    /// Every annotation of the app, newest first.
    public func export(of app: App) async throws -> [Annotation] {
        try await store.allAnnotations(of: app.id, in: app.workspaceID)
    }

    /// A page of the times an annotation of the app answered, newest first; 404 when the app has no such annotation.
    public func hits(of id: AnnotationID, app: App, page: Int, limit: Int) async throws -> Page<AnnotationHit> {
        try Paging.check(page: page, limit: limit, maxLimit: Self.maxLimit)
        guard try await store.annotation(id, of: app.id, in: app.workspaceID) != nil else { throw RelayError.notFound("Annotation not found") }
        return try await store.hits(of: id, app: app.id, in: app.workspaceID, page: page, limit: limit)
    }

    /// What the logs show of these messages: the annotation made from each, and the annotation that answered each.
    public func logs(
        of messages: [MessageID], in workspace: WorkspaceID
    ) async throws
        -> (annotations: [MessageID: (Annotation, String?)], hits: [MessageID: (AnnotationHit, AccountID?, String?)])
    {
        (try await store.annotations(ofMessages: messages, in: workspace), try await store.hits(ofMessages: messages, in: workspace))
    }

    /// Writes an annotation (of the logged message `message` when given: its annotation is replaced). With reply on,
    /// its question is embedded at once; when the embedding model fails, a job embeds it later.
    public func create(
        question: String?, answer: String?, of app: App, by account: AccountID?, message: ChatMessage? = nil
    ) async throws
        -> Annotation
    {
        let (question, answer) = try Annotation.check(question: question ?? message?.query, answer: answer)
        let date = now()
        let annotation = Annotation(
            workspaceID: app.workspaceID, appID: app.id, conversationID: message?.conversationID, messageID: message?.id,
            question: question, content: answer, accountID: account, createdAt: date, updatedAt: date
        )
        return try await store.insert(annotation, vector: try await vector(of: question, app: app))
    }

    public func update(_ id: AnnotationID, question: String?, answer: String?, of app: App) async throws -> Annotation {
        let (question, answer) = try Annotation.check(question: question, answer: answer)
        let vector = try await vector(of: question, app: app)
        let date = now()
        guard
            let annotation = try await store.update(
                id, of: app.id, in: app.workspaceID, vector: vector,
                { annotation in
                    annotation.question = question
                    annotation.content = answer
                    annotation.updatedAt = date
                })
        else { throw RelayError.notFound("Annotation not found") }
        return annotation
    }

    /// Deletes one annotation; 404 when the app has none of that id.
    public func delete(_ id: AnnotationID, of app: App) async throws {
        guard try await store.delete([id], of: app.id, in: app.workspaceID) > 0 else { throw RelayError.notFound("Annotation not found") }
    }

    /// Deletes these annotations of the app, or with `nil` all of them; returns how many went.
    public func delete(_ ids: [AnnotationID]?, of app: App) async throws -> Int {
        try await store.delete(ids, of: app.id, in: app.workspaceID)
    }

    /// The question's vector, normalised, when the app's reply is on; `nil` when it is off or the model failed (then a
    /// job embeds what is missing, with retries).
    private func vector(of question: String, app: App) async throws -> (values: [Float], model: String)? {
        guard let setting = try await store.setting(of: app.id, in: app.workspaceID) else { return nil }
        do {
            let embedded = try await models.embed([question], provider: setting.embeddingProvider, model: setting.embeddingModel, in: app.workspaceID)
            guard let first = embedded.vectors.first else { return nil }
            return (VectorMath.normalized(first), setting.vectorModel)
        } catch {
            logger.warning(
                "An annotation's question could not be embedded now; a job will",
                metadata: ["app": "\(app.id)", "error": "\(RelayError.logDescription(of: error))"])
            try await jobs.enqueue(
                BackgroundJob(workspaceID: app.workspaceID, kind: .enableAnnotationReply, subject: app.id.description, createdAt: Date()))
            signal.wake()
            return nil
        }
    }

    // MARK: Reply

    public func setting(of app: App) async throws -> AnnotationSetting? {
        try await store.setting(of: app.id, in: app.workspaceID)
    }

    /// Turns reply on with this embedding model (checked to be one the workspace can use) and queues the job that embeds
    /// the app's annotations; returns that job.
    public func enable(
        _ app: App, scoreThreshold: Double?, embeddingProvider: String?, embeddingModel: String?, by account: AccountID?
    ) async throws -> BackgroundJob {
        let threshold = try AnnotationSetting.checkThreshold(scoreThreshold)
        guard let provider = embeddingProvider, !provider.isEmpty else { throw RelayError.required("embedding_provider_name") }
        guard let model = embeddingModel, !model.isEmpty else { throw RelayError.required("embedding_model_name") }
        _ = try await models.resolve(provider: provider, model: model, type: .textEmbedding, in: app.workspaceID)
        let date = now()
        let setting = AnnotationSetting(
            workspaceID: app.workspaceID, appID: app.id, scoreThreshold: threshold, embeddingProvider: provider, embeddingModel: model,
            createdBy: account, createdAt: date, updatedBy: account, updatedAt: date
        )
        // Jobs run on the wall clock, which every instance shares.
        let job = BackgroundJob(workspaceID: app.workspaceID, kind: .enableAnnotationReply, subject: app.id.description, createdAt: Date())
        try await store.enable(setting, job: job)
        signal.wake()
        return job
    }

    /// Turns reply off; the annotations stay. Returns the (already done) job, for Dify's status route.
    public func disable(_ app: App) async throws -> BackgroundJob {
        let job = BackgroundJob(workspaceID: app.workspaceID, kind: .disableAnnotationReply, subject: app.id.description, createdAt: Date())
        try await store.disable(app: app.id, in: app.workspaceID, job: job)
        return job
    }

    /// Where an enable or disable job of the app stands; 404 when the app has no such job of that action.
    public func status(of job: BackgroundJobID, kind: BackgroundJob.Kind, of app: App) async throws -> BackgroundJob.Status {
        guard let status = try await jobs.status(of: job, in: app.workspaceID, at: Date()), status.job.kind == kind,
            status.job.subject == app.id.description
        else { throw RelayError.notFound("The job does not exist.") }
        return status
    }

    public func setThreshold(_ threshold: Double?, of id: AnnotationSettingID, app: App, by account: AccountID?) async throws -> AnnotationSetting {
        let threshold = try AnnotationSetting.checkThreshold(threshold)
        guard let setting = try await store.setThreshold(threshold, of: id, app: app.id, in: app.workspaceID, by: account, at: now()) else {
            throw RelayError.notFound("App annotation not found")
        }
        return setting
    }

    /// The annotation that answers `query`, when reply is on and one's question scores at least the threshold, with
    /// the hit recorded. Any failure (the embedding model away) is logged and answers `nil`: the model answers instead.
    public func reply(to query: String, of app: App, message: MessageID?, source: String = "api") async -> AnnotationReply? {
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        do {
            guard let setting = try await store.setting(of: app.id, in: app.workspaceID) else { return nil }
            let candidates = try await store.vectors(of: app.id, in: app.workspaceID, model: setting.vectorModel)
            guard !candidates.isEmpty else { return nil }
            let embedded = try await models.embed([query], provider: setting.embeddingProvider, model: setting.embeddingModel, in: app.workspaceID)
            guard let first = embedded.vectors.first else { return nil }
            let vector = VectorMath.normalized(first)
            var best: (annotation: Annotation, score: Double)?
            for (annotation, values) in candidates where values.count == vector.count {
                let score = Double(VectorMath.dot(values[...], vector))
                if score > best?.score ?? -.infinity { best = (annotation, score) }
            }
            guard let best, best.score >= setting.scoreThreshold else { return nil }
            let hit = AnnotationHit(
                id: UUID().uuidString.lowercased(), annotationID: best.annotation.id, messageID: message, source: source, question: query,
                score: best.score, annotationQuestion: best.annotation.question, annotationContent: best.annotation.content, createdAt: now()
            )
            let writer = try await store.recordHit(hit, of: best.annotation)
            return AnnotationReply(annotation: best.annotation, accountName: writer, score: best.score)
        } catch {
            logger.warning(
                "Annotation reply failed; the model answers", metadata: ["app": "\(app.id)", "error": "\(RelayError.logDescription(of: error))"])
            return nil
        }
    }
}

/// Embeds the annotations of an app whose reply was turned on (or whose questions could not be embedded when
/// written), a batch at a time; resumable, since each batch is stored as it is made.
struct AnnotationJobs: JobRunner {
    let store: AnnotationStore
    let jobs: JobStore
    let models: ModelProviderService
    let now: @Sendable () -> Date

    static let batch = 64

    func run(_ claim: JobClaim) async -> BackgroundJob.Outcome {
        guard claim.job.kind == .enableAnnotationReply, let app = AppID(claim.job.subject) else { return .finished }
        let workspace = claim.job.workspaceID
        do {
            var rounds = 0
            while let setting = try await store.setting(of: app, in: workspace) {
                rounds += 1
                let pending = try await store.unembedded(of: app, in: workspace, model: setting.vectorModel, limit: Self.batch)
                // Each round embeds a batch; questions changed while embedding are found again. Bounded all the same.
                guard !pending.isEmpty, rounds <= 10_000 else { return .finished }
                let embedded = try await models.embed(
                    pending.map(\.question), provider: setting.embeddingProvider, model: setting.embeddingModel, in: workspace)
                guard embedded.vectors.count == pending.count else {
                    return await giveUp(claim, "The embedding model answered \(embedded.vectors.count) vectors for \(pending.count) questions")
                }
                try await store.storeVectors(
                    Array(zip(pending, embedded.vectors.map(VectorMath.normalized))), model: setting.vectorModel, in: workspace, app: app)
            }
            return .finished
        } catch let error as RelayError where IndexingPipeline.isTransient(error) {
            return .retry(error.message)
        } catch let error as RelayError {
            return await giveUp(claim, error.message)
        } catch {
            return .retry(RelayError.logDescription(of: error))
        }
    }

    func giveUp(_ claim: JobClaim, _ message: String) async -> BackgroundJob.Outcome {
        do {
            try await jobs.fail(claim, error: message, at: now())
            return .failed
        } catch {
            return .retry(RelayError.logDescription(of: error))
        }
    }
}
