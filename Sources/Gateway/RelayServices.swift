import Core
import Foundation
import Logging
import PluginHost
import RateLimit
import Tenancy

/// The services of one running server, built once from its configuration and stores.
struct RelayServices: Sendable {
    let configuration: RelayConfiguration
    let sessions: SessionService
    let accounts: AccountService
    let workspaces: WorkspaceService
    let members: MemberService
    let apps: AppService
    let apiKeys: APIKeyService
    let plans: PlanService
    let usage: UsageRecorder
    let credits: CreditLedger
    /// What model calls cost, charged to their workspace's credits and usage.
    let billing: ModelCallBilling
    let limiter: RateLimiter
    let activeRequests: ActiveRequestLimiter
    let upstream: UpstreamClient
    let modelProviders: ModelProviderService
    let chat: ChatService
    let workflows: WorkflowService
    let stopWatcher: StopRequestWatcher
    let files: FileService
    let remoteImages: RemoteImageFetcher
    let plugins: PluginInstallService
    let tools: PluginToolService
    let datasets: DatasetService
    let annotations: AnnotationService
    /// Signed links to documents' source files.
    let documentLinks: DocumentFileLinks
    let jobWorker: JobWorker
    /// Every instrument of this server, for `/metrics` and the operator's status page.
    let metrics: RelayMetrics
    /// Opened once the database is migrated; the job worker waits for it.
    let databaseReady = StartGate()
    let now: @Sendable () -> Date

    init(
        _ configuration: RelayConfiguration, stores: RelayStores, secret: String,
        metrics: RelayMetrics = RelayMetrics(statusStep: .seconds(60)), logger: Logger, now: @escaping @Sendable () -> Date
    ) async {
        self.metrics = metrics
        let sessions = await SessionService.make(
            store: stores.sessions, secret: secret, accessTokenLifetime: configuration.accessTokenLifetime, now: now
        )
        let apps = AppService(store: stores.apps, now: now)
        self.configuration = configuration
        self.sessions = sessions
        self.accounts = AccountService(
            accounts: stores.accounts, workspaces: stores.workspaces, sessions: sessions,
            hasher: PasswordHasher(cost: configuration.passwordHashCost), allowsRegistration: configuration.allowsRegistration,
            now: now
        )
        self.workspaces = WorkspaceService(store: stores.workspaces, sessions: sessions, now: now)
        self.members = MemberService(store: stores.workspaces, now: now)
        self.apps = apps
        self.apiKeys = APIKeyService(store: stores.apiKeys, apps: apps, cacheTTL: configuration.apiKeyCacheTTL, now: now)
        self.plans = PlanService(store: stores.plans)
        self.usage = UsageRecorder(store: stores.usage, logger: logger)
        self.credits = CreditLedger(store: stores.credits)
        self.billing = ModelCallBilling(credits: self.credits, usage: self.usage, now: now)
        switch configuration.rateLimitStore {
        case .memory:
            self.limiter = RateLimiter(store: InProcessRateLimitStore(), onRefusal: metrics.rateLimits.refused)
        case .database:
            self.limiter = RateLimiter(
                store: FailoverRateLimitStore(shared: stores.rateLimits, policy: configuration.rateLimitFailure, logger: logger),
                onRefusal: metrics.rateLimits.refused
            )
        }
        self.activeRequests = ActiveRequestLimiter()
        self.upstream = UpstreamClient(policy: configuration.upstream)
        let pluginModels = PluginModelProviders()
        let modelProviders = ModelProviderService(
            catalogue: .builtIn(client: upstream), installed: pluginModels, store: stores.modelProviders,
            sealer: CredentialSealer(secret: secret), metrics: metrics.modelCalls, now: now
        )
        self.modelProviders = modelProviders
        self.files = FileService(store: stores.files, root: configuration.uploadsDirectory, now: now)
        self.remoteImages = RemoteImageFetcher(client: upstream, allowsPrivateNetworks: configuration.allowsPrivateFileURLs)
        var supervision = PluginSupervisorSettings(launcher: configuration.pluginLauncherPath)
        supervision.minimumLevel = configuration.pluginSandboxMinimum
        supervision.callTimeout = configuration.pluginCallTimeout
        supervision.idleTimeout = configuration.pluginIdleTimeout
        supervision.startTimeout = configuration.pluginStartTimeout
        let plugins = PluginInstallService(
            catalogue: PluginCatalogue(root: configuration.pluginRoot, python: configuration.pluginPython, logger: logger),
            supervisor: PluginSupervisor(settings: supervision, metrics: metrics.plugins, logger: logger), store: stores.plugins,
            models: modelProviders, now: now
        )
        self.plugins = plugins
        pluginModels.serve(from: plugins)
        let tools = PluginToolService(installs: plugins, store: stores.plugins, sealer: CredentialSealer(secret: secret), now: now)
        self.tools = tools
        let signal = IndexingSignal()
        let converter = SandboxedDocumentConverter(
            launcher: configuration.pluginLauncherPath, folder: configuration.documentParsingDirectory,
            minimumLevel: configuration.pluginSandboxMinimum
        )
        let datasets = DatasetService(
            store: stores.datasets, plans: stores.plans, models: modelProviders, signal: signal, converter: converter,
            vectorCacheBytes: configuration.vectorCacheBytes, approximateSearchFrom: configuration.approximateSearchFrom, now: now
        )
        self.datasets = datasets
        self.documentLinks = DocumentFileLinks(secret: secret, now: now)
        let annotations = AnnotationService(
            store: stores.annotations, jobs: stores.jobs, models: modelProviders, signal: signal, logger: logger, now: now)
        self.annotations = annotations
        self.jobWorker = JobWorker(
            jobs: stores.jobs, datasets: stores.datasets, annotations: stores.annotations, plans: stores.plans, models: modelProviders, converter: converter, signal: signal,
            ready: databaseReady, settings: configuration.jobs, metrics: metrics.jobs, now: now, logger: logger
        )
        let tasks = RunningTasks()
        let code = SandboxedPython(
            launcher: configuration.pluginLauncherPath, python: configuration.pluginPython, folder: configuration.codeRunsDirectory,
            minimumLevel: configuration.pluginSandboxMinimum
        )
        let workflows = WorkflowService(
            store: stores.workflows, tasks: tasks,
            services: WorkflowServices(
                models: modelProviders, code: code, toolbox: PluginAgentToolbox(tools: tools),
                http: WorkflowHTTPSettings(client: upstream.http, allowsPrivateTargets: configuration.workflowHTTPAllowsPrivate),
                knowledge: datasets
            ),
            logger: logger, now: now
        )
        self.workflows = workflows
        self.chat = ChatService(
            store: stores.chat, providers: modelProviders, tasks: tasks, toolbox: PluginAgentToolbox(tools: tools), workflows: workflows,
            knowledge: datasets, annotations: annotations, logger: logger, now: now
        )
        self.stopWatcher = StopRequestWatcher(sources: [stores.chat, stores.workflows], tasks: tasks, logger: logger, now: now)
        self.now = now
    }
}
