/// What does the jobs of some kinds: one run of a claimed job, and how it ends once its retries are spent.
protocol JobRunner: Sendable {
    func run(_ claim: JobClaim) async -> BackgroundJob.Outcome
    func giveUp(_ claim: JobClaim, _ message: String) async -> BackgroundJob.Outcome
}
