/// The schema, one named migration at a time, shared by both engines. Never edit a migration once it has shipped; add
/// another.
///
/// Timestamps are seconds since 1970 as `DOUBLE PRECISION`; ids are lower-case UUID text; tenant-owned tables lead with
/// `workspace_id`; counts and limits that may pass 2^31 are `BIGINT` (PostgreSQL's `INTEGER` has 32 bits; the first
/// migrations' are widened in PostgreSQL's own list). The SQL is what SQLite and PostgreSQL both accept; what only one engine needs (PostgreSQL's row-level
/// security and its rate-limit function) is in that engine's own list.
enum Schema {
    struct Migration: Sendable {
        let name: String
        let sql: String
    }

    static let migrations: [Migration] = [
        Migration(
            name: "v1 tenancy and apps",
            sql: """
                CREATE TABLE setup (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    completed_at DOUBLE PRECISION NOT NULL
                );
                CREATE TABLE account (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    password_hash TEXT,
                    status TEXT NOT NULL,
                    last_workspace_id TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    last_login_at DOUBLE PRECISION
                );
                CREATE TABLE workspace (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    plan TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
                );
                CREATE TABLE membership (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (workspace_id, account_id)
                );
                CREATE INDEX membership_by_account ON membership(account_id);
                CREATE TABLE invitation (
                    token_hash TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    expires_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX invitation_by_member ON invitation(workspace_id, account_id);
                CREATE TABLE login_failure (
                    email TEXT NOT NULL,
                    failed_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX login_failure_by_email ON login_failure(email, failed_at);
                CREATE TABLE session (
                    id TEXT PRIMARY KEY,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL,
                    refresh_token_lifetime DOUBLE PRECISION NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    revoked_at DOUBLE PRECISION
                );
                CREATE TABLE refresh_token (
                    token_hash TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
                    expires_at DOUBLE PRECISION NOT NULL,
                    spent_at DOUBLE PRECISION
                );
                CREATE INDEX refresh_token_by_session ON refresh_token(session_id);
                CREATE TABLE app (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    icon TEXT NOT NULL,
                    icon_background TEXT NOT NULL,
                    description TEXT NOT NULL,
                    enable_site BOOLEAN NOT NULL,
                    enable_api BOOLEAN NOT NULL,
                    api_rpm INTEGER NOT NULL,
                    api_rph INTEGER NOT NULL,
                    is_demo BOOLEAN NOT NULL,
                    created_by TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (workspace_id, name)
                );
                CREATE INDEX app_by_workspace_created ON app(workspace_id, created_at);
                CREATE TABLE api_key (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT REFERENCES app(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    permissions TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    hint TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    last_used_at DOUBLE PRECISION,
                    revoked_at DOUBLE PRECISION
                );
                CREATE INDEX api_key_by_owner ON api_key(workspace_id, app_id);
                """
        ),
        Migration(
            name: "v2 plans, rate limits and usage",
            sql: """
                CREATE TABLE plan (
                    name TEXT PRIMARY KEY,
                    rpm INTEGER NOT NULL,
                    rph INTEGER NOT NULL,
                    rpd INTEGER NOT NULL,
                    members INTEGER NOT NULL,
                    apps INTEGER NOT NULL,
                    documents INTEGER NOT NULL,
                    vector_space BIGINT NOT NULL,
                    message_credits INTEGER NOT NULL,
                    max_active_requests INTEGER NOT NULL
                );
                INSERT INTO plan VALUES
                    ('sandbox', 60, 1000, 10000, 1, 5, 50, 52428800, 200, 10),
                    ('professional', 300, 10000, 100000, 3, 50, 500, 5368709120, 5000, 50),
                    ('team', 600, 30000, 300000, 50, 200, 1000, 21474836480, 10000, 100),
                    ('enterprise', 0, 0, 0, 0, 0, 0, 0, 0, 0);
                ALTER TABLE workspace ADD COLUMN plan_overrides TEXT NOT NULL DEFAULT '{}';
                CREATE TABLE rate_limit_counter (
                    counter_key TEXT NOT NULL,
                    window_start BIGINT NOT NULL,
                    hits INTEGER NOT NULL,
                    PRIMARY KEY (counter_key, window_start)
                );
                CREATE TABLE usage_counter (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL,
                    api_key_id TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    requests INTEGER NOT NULL,
                    PRIMARY KEY (workspace_id, app_id, api_key_id, day)
                );
                """
        ),
        Migration(
            name: "v3 message credits",
            sql: """
                CREATE TABLE message_credit (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    month INTEGER NOT NULL,
                    used INTEGER NOT NULL,
                    reserved INTEGER NOT NULL,
                    PRIMARY KEY (workspace_id, month)
                );
                """
        ),
        Migration(
            name: "v4 model providers, conversations and messages",
            sql: """
                CREATE TABLE provider_credential (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    provider TEXT NOT NULL,
                    sealed TEXT NOT NULL,
                    models TEXT NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (workspace_id, provider)
                );
                CREATE TABLE default_model (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    model_type TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    PRIMARY KEY (workspace_id, model_type)
                );
                CREATE TABLE app_model_config (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT PRIMARY KEY REFERENCES app(id) ON DELETE CASCADE,
                    config TEXT NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL
                );
                CREATE TABLE conversation (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    end_user TEXT NOT NULL,
                    name TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    introduction TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX conversation_by_end_user ON conversation(workspace_id, app_id, end_user, updated_at);
                CREATE TABLE message (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    conversation_id TEXT REFERENCES conversation(id) ON DELETE CASCADE,
                    end_user TEXT NOT NULL,
                    task_id TEXT NOT NULL UNIQUE,
                    inputs TEXT NOT NULL,
                    query TEXT NOT NULL,
                    answer TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error TEXT,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    usage TEXT,
                    total_tokens BIGINT NOT NULL,
                    files TEXT NOT NULL,
                    feedback_rating TEXT,
                    feedback_content TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    stop_requested_at DOUBLE PRECISION
                );
                CREATE INDEX message_by_conversation ON message(conversation_id, created_at);
                CREATE INDEX message_by_stop_request ON message(stop_requested_at);
                """
        ),
        Migration(
            name: "v5 usage tokens",
            sql: "ALTER TABLE usage_counter ADD COLUMN tokens BIGINT NOT NULL DEFAULT 0;"
        ),
        Migration(
            name: "v6 uploaded files",
            sql: """
                ALTER TABLE plan ADD COLUMN file_storage BIGINT NOT NULL DEFAULT 0;
                UPDATE plan SET file_storage = 1073741824 WHERE name = 'sandbox';
                UPDATE plan SET file_storage = 10737418240 WHERE name = 'professional';
                UPDATE plan SET file_storage = 53687091200 WHERE name = 'team';
                CREATE TABLE upload_file (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT REFERENCES app(id) ON DELETE SET NULL,
                    end_user TEXT NOT NULL,
                    name TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    extension TEXT NOT NULL,
                    mime_type TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX upload_file_by_workspace ON upload_file(workspace_id);
                """
        ),
        Migration(
            name: "v7 plugins",
            sql: """
                CREATE TABLE plugin_package (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    identifier TEXT NOT NULL,
                    plugin_id TEXT NOT NULL,
                    version TEXT NOT NULL,
                    declaration TEXT NOT NULL,
                    archive TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (workspace_id, identifier)
                );
                CREATE TABLE plugin_install (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    plugin_id TEXT NOT NULL,
                    identifier TEXT NOT NULL,
                    source TEXT NOT NULL,
                    declaration TEXT NOT NULL,
                    sandbox_uid BIGINT NOT NULL UNIQUE,
                    created_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (workspace_id, plugin_id)
                );
                CREATE TABLE plugin_storage (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    plugin_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (workspace_id, plugin_id, key)
                );
                CREATE TABLE tool_credential (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    provider TEXT NOT NULL,
                    sealed TEXT NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (workspace_id, provider)
                );
                """
        ),
        Migration(
            name: "v8 workflows",
            sql: """
                CREATE TABLE workflow_draft (
                    app_id TEXT PRIMARY KEY REFERENCES app(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    content TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    updated_by TEXT
                );
                CREATE TABLE workflow_version (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    number BIGINT NOT NULL,
                    content TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    created_by TEXT,
                    UNIQUE (app_id, number)
                );
                CREATE TABLE workflow_run (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    workflow_id TEXT NOT NULL,
                    task_id TEXT NOT NULL,
                    triggered_from TEXT NOT NULL,
                    end_user TEXT NOT NULL,
                    status TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    outputs TEXT,
                    error TEXT,
                    elapsed_time DOUBLE PRECISION NOT NULL,
                    total_tokens BIGINT NOT NULL,
                    total_steps BIGINT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    finished_at DOUBLE PRECISION,
                    stop_requested_at DOUBLE PRECISION
                );
                CREATE INDEX workflow_run_by_stop_request ON workflow_run(stop_requested_at);
                CREATE INDEX workflow_run_by_app ON workflow_run(workspace_id, app_id, created_at);
                CREATE INDEX workflow_run_by_task ON workflow_run(task_id);
                CREATE TABLE workflow_node_execution (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    run_id TEXT NOT NULL REFERENCES workflow_run(id) ON DELETE CASCADE,
                    position BIGINT NOT NULL,
                    record TEXT NOT NULL
                );
                CREATE INDEX workflow_node_execution_by_run ON workflow_node_execution(run_id, position);
                """
        ),
        Migration(
            name: "v9 datasets and background jobs",
            sql: """
                CREATE TABLE dataset (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    permission TEXT NOT NULL,
                    indexing_technique TEXT NOT NULL,
                    embedding_provider TEXT,
                    embedding_model TEXT,
                    retrieval_model TEXT NOT NULL,
                    revision BIGINT NOT NULL DEFAULT 0,
                    created_by TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (workspace_id, name)
                );
                CREATE TABLE dataset_member (
                    dataset_id TEXT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    account_id TEXT NOT NULL,
                    PRIMARY KEY (dataset_id, account_id)
                );
                CREATE TABLE dataset_document (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    dataset_id TEXT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
                    position BIGINT NOT NULL,
                    name TEXT NOT NULL,
                    doc_type TEXT NOT NULL,
                    data_source_type TEXT NOT NULL,
                    batch TEXT NOT NULL,
                    process_rule TEXT NOT NULL,
                    status TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    error TEXT,
                    word_count BIGINT NOT NULL,
                    tokens BIGINT NOT NULL,
                    completed_segments BIGINT NOT NULL,
                    total_segments BIGINT NOT NULL,
                    processing_started_at DOUBLE PRECISION,
                    parsing_completed_at DOUBLE PRECISION,
                    cleaning_completed_at DOUBLE PRECISION,
                    splitting_completed_at DOUBLE PRECISION,
                    completed_at DOUBLE PRECISION,
                    paused_at DOUBLE PRECISION,
                    created_by TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (dataset_id, position)
                );
                CREATE INDEX dataset_document_by_batch ON dataset_document(dataset_id, batch);
                CREATE INDEX dataset_document_by_workspace ON dataset_document(workspace_id);
                CREATE TABLE document_source (
                    document_id TEXT PRIMARY KEY REFERENCES dataset_document(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    doc_type TEXT NOT NULL,
                    content BYTEA NOT NULL
                );
                CREATE TABLE document_segment (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    dataset_id TEXT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
                    document_id TEXT NOT NULL REFERENCES dataset_document(id) ON DELETE CASCADE,
                    position BIGINT NOT NULL,
                    content TEXT NOT NULL,
                    answer TEXT,
                    keywords TEXT NOT NULL,
                    word_count BIGINT NOT NULL,
                    tokens BIGINT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    hit_count BIGINT NOT NULL,
                    index_node_hash TEXT NOT NULL,
                    vector BYTEA,
                    size BIGINT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (document_id, position)
                );
                CREATE INDEX document_segment_by_dataset ON document_segment(dataset_id);
                CREATE INDEX document_segment_by_workspace ON document_segment(workspace_id);
                CREATE TABLE background_job (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts BIGINT NOT NULL,
                    claim_token TEXT,
                    lease_until DOUBLE PRECISION,
                    run_after DOUBLE PRECISION NOT NULL,
                    last_error TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    finished_at DOUBLE PRECISION
                );
                CREATE INDEX background_job_due ON background_job(state, run_after);
                CREATE INDEX background_job_by_subject ON background_job(subject);
                """
        ),
        Migration(
            name: "v10 retriever resources of messages",
            sql: "ALTER TABLE message ADD COLUMN retriever_resources TEXT NOT NULL DEFAULT '[]';"
        ),
        Migration(
            name: "v11 dataset tags",
            sql: """
                CREATE TABLE dataset_tag (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    created_by TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (workspace_id, name)
                );
                CREATE TABLE dataset_tag_binding (
                    tag_id TEXT NOT NULL REFERENCES dataset_tag(id) ON DELETE CASCADE,
                    dataset_id TEXT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    created_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (tag_id, dataset_id)
                );
                CREATE INDEX dataset_tag_binding_by_dataset ON dataset_tag_binding(dataset_id);
                """
        ),
        Migration(
            name: "v12 sign-in failures per client",
            sql: """
                ALTER TABLE login_failure ADD COLUMN client TEXT NOT NULL DEFAULT '';
                DROP INDEX login_failure_by_email;
                CREATE INDEX login_failure_by_client ON login_failure(email, client, failed_at);
                """
        ),
        Migration(
            name: "v13 knowledge metadata, parent-child chunks and document lifecycle",
            sql: """
                CREATE TABLE dataset_metadata (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    dataset_id TEXT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    created_by TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_by TEXT,
                    updated_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (dataset_id, name)
                );
                CREATE INDEX dataset_metadata_by_workspace ON dataset_metadata(workspace_id);
                CREATE TABLE child_chunk (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    dataset_id TEXT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
                    document_id TEXT NOT NULL REFERENCES dataset_document(id) ON DELETE CASCADE,
                    segment_id TEXT NOT NULL REFERENCES document_segment(id) ON DELETE CASCADE,
                    position BIGINT NOT NULL,
                    content TEXT NOT NULL,
                    word_count BIGINT NOT NULL,
                    type TEXT NOT NULL,
                    index_node_hash TEXT NOT NULL,
                    vector BYTEA,
                    created_by TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_by TEXT,
                    updated_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (segment_id, position)
                );
                CREATE INDEX child_chunk_by_dataset ON child_chunk(dataset_id);
                CREATE INDEX child_chunk_by_document ON child_chunk(document_id);
                CREATE INDEX child_chunk_by_workspace ON child_chunk(workspace_id);
                ALTER TABLE dataset ADD COLUMN built_in_field_enabled BOOLEAN NOT NULL DEFAULT FALSE;
                ALTER TABLE dataset ADD COLUMN doc_form TEXT;
                ALTER TABLE dataset ADD COLUMN updated_by TEXT;
                ALTER TABLE dataset_document ADD COLUMN doc_form TEXT NOT NULL DEFAULT 'text_model';
                ALTER TABLE dataset_document ADD COLUMN doc_language TEXT NOT NULL DEFAULT 'English';
                ALTER TABLE dataset_document ADD COLUMN doc_metadata TEXT NOT NULL DEFAULT '{}';
                ALTER TABLE dataset_document ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
                ALTER TABLE dataset_document ADD COLUMN archived_by TEXT;
                ALTER TABLE dataset_document ADD COLUMN archived_at DOUBLE PRECISION;
                ALTER TABLE dataset_document ADD COLUMN disabled_by TEXT;
                ALTER TABLE dataset_document ADD COLUMN disabled_at DOUBLE PRECISION;
                ALTER TABLE dataset_document ADD COLUMN updated_by TEXT;
                ALTER TABLE document_segment ADD COLUMN created_by TEXT;
                ALTER TABLE document_segment ADD COLUMN updated_by TEXT;
                ALTER TABLE document_segment ADD COLUMN disabled_by TEXT;
                ALTER TABLE document_segment ADD COLUMN disabled_at DOUBLE PRECISION;
                """
        ),
        Migration(
            name: "v14 app web settings, end users, annotations and message statistics",
            sql: """
                ALTER TABLE account ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
                CREATE TABLE app_site (
                    app_id TEXT PRIMARY KEY REFERENCES app(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    code TEXT NOT NULL UNIQUE,
                    settings TEXT NOT NULL,
                    updated_by TEXT,
                    updated_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX app_site_by_workspace ON app_site(workspace_id);
                CREATE TABLE end_user (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    session_id TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    UNIQUE (app_id, session_id)
                );
                CREATE INDEX end_user_by_workspace ON end_user(workspace_id);
                CREATE TABLE annotation (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    conversation_id TEXT,
                    message_id TEXT,
                    question TEXT NOT NULL,
                    content TEXT NOT NULL,
                    hit_count BIGINT NOT NULL DEFAULT 0,
                    account_id TEXT,
                    vector BYTEA,
                    vector_model TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX annotation_by_app ON annotation(app_id, created_at);
                CREATE INDEX annotation_by_message ON annotation(message_id);
                CREATE INDEX annotation_by_workspace ON annotation(workspace_id);
                CREATE TABLE annotation_setting (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL UNIQUE REFERENCES app(id) ON DELETE CASCADE,
                    score_threshold DOUBLE PRECISION NOT NULL,
                    embedding_provider TEXT NOT NULL,
                    embedding_model TEXT NOT NULL,
                    created_by TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_by TEXT,
                    updated_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX annotation_setting_by_workspace ON annotation_setting(workspace_id);
                CREATE TABLE annotation_hit (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    annotation_id TEXT NOT NULL REFERENCES annotation(id) ON DELETE CASCADE,
                    message_id TEXT,
                    source TEXT NOT NULL,
                    question TEXT NOT NULL,
                    score DOUBLE PRECISION NOT NULL,
                    annotation_question TEXT NOT NULL,
                    annotation_content TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
                );
                CREATE INDEX annotation_hit_by_annotation ON annotation_hit(annotation_id, created_at);
                CREATE INDEX annotation_hit_by_message ON annotation_hit(message_id);
                CREATE INDEX annotation_hit_by_workspace ON annotation_hit(workspace_id);
                ALTER TABLE conversation ADD COLUMN read_at DOUBLE PRECISION;
                ALTER TABLE conversation ADD COLUMN read_by TEXT;
                ALTER TABLE message ADD COLUMN message_tokens BIGINT NOT NULL DEFAULT 0;
                ALTER TABLE message ADD COLUMN answer_tokens BIGINT NOT NULL DEFAULT 0;
                ALTER TABLE message ADD COLUMN latency DOUBLE PRECISION NOT NULL DEFAULT 0;
                ALTER TABLE message ADD COLUMN total_price DOUBLE PRECISION NOT NULL DEFAULT 0;
                ALTER TABLE message ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
                ALTER TABLE message ADD COLUMN annotation_reply TEXT;
                ALTER TABLE message ADD COLUMN feedback_at DOUBLE PRECISION;
                ALTER TABLE message ADD COLUMN admin_feedback_rating TEXT;
                ALTER TABLE message ADD COLUMN admin_feedback_content TEXT;
                ALTER TABLE message ADD COLUMN admin_feedback_by TEXT;
                ALTER TABLE message ADD COLUMN admin_feedback_at DOUBLE PRECISION;
                CREATE INDEX message_statistics ON message(
                    workspace_id, app_id, created_at, conversation_id, end_user, message_tokens, answer_tokens, total_price, latency,
                    feedback_rating, admin_feedback_rating
                );
                CREATE INDEX conversation_by_app_created ON conversation(workspace_id, app_id, created_at);
                CREATE INDEX message_by_app_feedback ON message(app_id, feedback_at);
                """
        ),
        Migration(
            // The statistics' rollup: per app and quarter hour (every zone's offset, and so every local midnight, falls on
            // a quarter hour), the sums of its messages, and who (which conversations, which end users) wrote them, so a
            // statistic reads a row per quarter hour instead of a row per message. Kept in step by each engine's triggers,
            // so no write path can forget it. `shard` spreads one busy app's writes over several rows in PostgreSQL.
            name: "v15 message statistics rollup",
            sql: """
                ALTER TABLE conversation ADD COLUMN message_count BIGINT NOT NULL DEFAULT 0;
                CREATE TABLE message_rollup (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    bucket BIGINT NOT NULL,
                    shard INTEGER NOT NULL,
                    messages BIGINT NOT NULL,
                    lone_messages BIGINT NOT NULL,
                    tokens BIGINT NOT NULL,
                    answer_tokens BIGINT NOT NULL,
                    total_price DOUBLE PRECISION NOT NULL,
                    latency DOUBLE PRECISION NOT NULL,
                    likes BIGINT NOT NULL,
                    PRIMARY KEY (workspace_id, app_id, bucket, shard)
                );
                CREATE INDEX message_rollup_by_app ON message_rollup(app_id);
                CREATE TABLE message_rollup_member (
                    workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    app_id TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    bucket BIGINT NOT NULL,
                    member TEXT NOT NULL,
                    messages BIGINT NOT NULL,
                    PRIMARY KEY (workspace_id, app_id, kind, bucket, member)
                );
                CREATE INDEX message_rollup_member_by_app ON message_rollup_member(app_id);
                DROP INDEX message_statistics;
                CREATE INDEX message_by_app_created ON message(workspace_id, app_id, created_at);
                DROP INDEX conversation_by_app_created;
                CREATE INDEX conversation_by_app_created ON conversation(workspace_id, app_id, created_at, message_count);
                """
        ),
    ]
}
