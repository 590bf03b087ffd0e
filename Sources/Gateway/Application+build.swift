import Core
public import Foundation
public import Hummingbird
import Logging
import PluginHost

/// Builds the whole server from its configuration: storage, services, routes. The CLI and the tests both call this.
///
/// `now` is the clock of every expiry and window, so tests can move time instead of sleeping.
public func buildApplication(
    _ configuration: RelayConfiguration, now: @escaping @Sendable () -> Date = Date.init
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "relay")
    logger.logLevel = configuration.logLevel
    try FileManager.default.createDirectory(
        at: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711]
    )
    // Plugin uids must pass through the data directory to their own folders, and may list and read nothing on the way:
    // the directory is search-only for others, and what is secret in it is its owner's alone.
    try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: configuration.dataDirectory.path)
    let secret = try configuration.secretKey ?? SecretKeyFile.loadOrCreate(at: configuration.secretKeyFile)
    // Before the database: its pool's waits are measured too.
    let metrics = RelayMetrics(statusStep: configuration.statusStep)
    let database = try RelayDatabase.open(
        configuration.databaseLocation, busyTimeout: configuration.databaseBusyTimeout, metrics: metrics.database, logger: logger
    )
    // Uploads are their workspaces' alone: no other uid (a plugin's) may list or read them.
    try FileManager.default.createDirectory(at: configuration.uploadsDirectory, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: configuration.uploadsDirectory.path)
    if case .sqlite(let file) = configuration.databaseLocation {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: file.path + suffix) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path + suffix)
        }
    }
    let services = await RelayServices(configuration, stores: database.stores, secret: secret, metrics: metrics, logger: logger, now: now)
    if let folder = configuration.builtInPluginsDirectory {
        try await services.plugins.catalogue.loadBuiltIn(from: folder)
    }
    var app = Application(
        router: buildRouter(services),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Relay"),
        logger: logger
    )
    if let pool = database.service { app.addServices(pool) }
    app.addServices(services.usage, services.upstream, services.stopWatcher, services.plugins.supervisor)
    if services.configuration.jobs.concurrency > 0 { app.addServices(services.jobWorker) }
    app.addServices(metrics.history)
    if let port = configuration.metricsPort {
        // Only `/metrics`, and no key: for a port the operator keeps to the monitoring network.
        let router = Router(context: RelayRequestContext.self)
        MetricsController(metrics: metrics, jobs: services.jobWorker).addRoutes(to: router)
        var metricsLogger = Logger(label: "relay.metrics")
        metricsLogger.logLevel = configuration.logLevel
        app.addServices(
            Application(
                router: router, configuration: .init(address: .hostname(configuration.host, port: port), serverName: "Relay"),
                logger: metricsLogger
            )
        )
    }
    // PostgreSQL's schema is migrated once its pool runs, before the first request is served.
    app.beforeServerStarts {
        try await database.migrate()
        services.databaseReady.open()
    }
    return app
}

func buildRouter(_ services: RelayServices) -> Router<RelayRequestContext> {
    let router = Router(context: RelayRequestContext.self)
    let allowedMethods = AllowedMethods()
    router.addMiddleware {
        RequestIDMiddleware()
        RequestMetricsMiddleware(metrics: services.metrics.http)
        ErrorMiddleware(allowedMethods: allowedMethods)
    }
    HealthController(plugins: services.plugins, minimumLevel: services.configuration.pluginSandboxMinimum).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    DocsController().addRoutes(to: router)
    AdminPageController().addRoutes(to: router)
    DocumentFilesController(datasets: services.datasets, links: services.documentLinks).addRoutes(to: router)
    IndexController().addRoutes(to: router)

    let console = router.group("console/api")
    let auth = AuthController(accounts: services.accounts, sessions: services.sessions)
    auth.addPublicRoutes(to: console)
    let authenticated = console.group().add(middleware: ConsoleAuthMiddleware(sessions: services.sessions))
    let workspacesController = WorkspacesController(workspaces: services.workspaces)
    // Reads stay outside the write budget, including the one Dify sends as POST.
    workspacesController.addWorkspaceRoutes(to: authenticated.group(context: WorkspaceContext.self))
    let signedIn = authenticated.group()
        .add(
            middleware: ConsoleWriteLimitMiddleware(
                limiter: services.limiter, perMinute: services.configuration.consoleWritesPerMinute,
                perHour: services.configuration.consoleWritesPerHour, now: services.now
            )
        )
    let account = signedIn.group(context: AccountContext.self)
    auth.addAccountRoutes(to: account)
    workspacesController.addAccountRoutes(to: account)
    AccountTimeZoneController(accounts: services.accounts).addRoutes(to: account)
    let workspace = signedIn.group(context: WorkspaceContext.self)
    MembersController(members: services.members).addRoutes(to: workspace)
    AppsController(apps: services.apps, apiKeys: services.apiKeys, chat: services.chat).addRoutes(to: workspace)
    AppModelConfigController(apps: services.apps, chat: services.chat).addRoutes(to: workspace)
    AppSiteController(apps: services.apps).addRoutes(to: workspace)
    AppAnnotationsController(apps: services.apps, annotations: services.annotations, chat: services.chat).addRoutes(to: workspace)
    AppLogsController(apps: services.apps, chat: services.chat, annotations: services.annotations, accounts: services.accounts)
        .addRoutes(to: workspace)
    AppStatisticsController(apps: services.apps, chat: services.chat, accounts: services.accounts).addRoutes(to: workspace)
    let runner = WorkflowRunner(workflows: services.workflows, pingInterval: services.configuration.streamPingInterval, now: services.now)
    WorkflowsController(apps: services.apps, workflows: services.workflows, runner: runner).addRoutes(to: workspace)
    ModelProvidersController(providers: services.modelProviders, plans: services.plans, credits: services.credits, now: services.now)
        .addRoutes(to: workspace)
    APIKeysController(apiKeys: services.apiKeys, datasets: services.datasets).addRoutes(to: workspace)
    addDatasetRoutes(services, to: workspace)
    DatasetTagsController(datasets: services.datasets).addConsoleRoutes(to: workspace)
    PluginsController(installs: services.plugins).addRoutes(to: workspace)
    ToolProvidersController(tools: services.tools).addRoutes(to: workspace)
    UsageController(services: services).addRoutes(to: workspace)

    let operatorAPI = router.group("admin/api").add(middleware: OperatorAuthMiddleware(adminKey: services.configuration.adminKey))
    OperatorController(services: services).addRoutes(to: operatorAPI)
    StatusController(services: services).addRoutes(to: operatorAPI)
    MetricsController(metrics: services.metrics, jobs: services.jobWorker)
        .addRoutes(
            to: router.group()
                .add(middleware: MetricsAuthMiddleware(adminKey: services.configuration.adminKey, metricsKey: services.configuration.metricsKey))
        )

    // Dify's SDKs call `/v1`; the seed documents `/api`. The same handlers serve both.
    for prefix in ["v1", "api"] {
        // The knowledge API takes dataset keys; everything else under the prefix takes app keys.
        let knowledge = router.group(RouterPath(prefix))
            .add(middleware: DatasetKeyAuthMiddleware(apiKeys: services.apiKeys, limiter: services.limiter, now: services.now))
            .group(context: KnowledgeContext.self)
        addDatasetRoutes(services, to: knowledge)
        let api = router.group(RouterPath(prefix))
            .add(middleware: APIKeyAuthMiddleware(apiKeys: services.apiKeys))
            .add(
                middleware: PublicRateLimitMiddleware(
                    limiter: services.limiter, activeRequests: services.activeRequests, usage: services.usage, now: services.now
                )
            )
            .group(context: PublicContext.self)
        AppInfoController(chat: services.chat, annotations: services.annotations).addRoutes(to: api)
        ChatMessagesController(
            chat: services.chat, billing: services.billing, files: services.files, remoteImages: services.remoteImages,
            datasets: services.datasets, pingInterval: services.configuration.streamPingInterval, now: services.now
        ).addRoutes(to: api)
        FilesController(files: services.files, chat: services.chat).addRoutes(to: api)
        WorkflowRunsController(workflows: services.workflows, runner: runner, billing: services.billing).addRoutes(to: api)
        ConversationsController(chat: services.chat).addRoutes(to: api)
        SiteController(apps: services.apps).addRoutes(to: api)
        AudioController(chat: services.chat, workflows: services.workflows, maxAudioBytes: services.configuration.audioToTextBytes).addRoutes(to: api)
        EndUsersController(chat: services.chat).addRoutes(to: api)
        AnnotationsController(annotations: services.annotations).addRoutes(to: api)
    }
    allowedMethods.load(router)
    return router
}

/// The dataset routes, on the console (members) or the knowledge API (dataset keys).
func addDatasetRoutes<Context: DatasetRequestContext>(_ services: RelayServices, to group: RouterGroup<Context>) {
    DatasetsController(datasets: services.datasets).addRoutes(to: group)
    DocumentsController(datasets: services.datasets, links: services.documentLinks, maxZipBytes: services.configuration.documentZipBytes)
        .addRoutes(to: group)
    SegmentsController(datasets: services.datasets).addRoutes(to: group)
    ChildChunksController(datasets: services.datasets).addRoutes(to: group)
    DatasetMetadataController(datasets: services.datasets).addRoutes(to: group)
    DatasetTagsController(datasets: services.datasets).addRoutes(to: group)
    WorkspaceModelsController(providers: services.modelProviders).addRoutes(to: group)
}
