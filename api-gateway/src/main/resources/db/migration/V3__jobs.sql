-- BES jobs (DESIGN §1, §3): what the gateway admitted (owner, service version, queue, idempotency key, which
-- commands it recorded) plus the view columns fed by job events. Job commands go through the same outbox as pool
-- commands, in the transaction that writes this row, so an acknowledged submit, start or cancel is never lost.

create table job (
    id                varchar(32)  primary key,
    account_id        varchar(32)  not null references account (id),
    service_id        varchar(32)  not null references web_service (id),
    service_version   integer      not null,
    -- AzureBatchPoolId; null for a classic job
    pool_id           varchar(32),
    -- the queue the dispatcher keeps the job in: the pool id, or the classic pool's id
    queue_id          varchar(32)  not null,
    -- Idempotency-Key or x-ms-client-request-id of the submit: a retried submit returns this job
    idempotency_key   varchar(200),
    -- envelope sequence of the last command recorded (SubmitJob = 1, +1 per command)
    command_sequence  bigint       not null,
    start_requested   boolean      not null default false,
    cancel_requested  boolean      not null default false,
    -- view of job-dispatcher's job: state (JobState), and the envelope sequence of the job event it came from
    state             varchar(16)  not null
        check (state in ('CREATED', 'QUEUED', 'ASSIGNED', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELLED')),
    view_sequence     bigint       not null default 0,
    queue_sequence    bigint,
    attempt           integer      not null default 0,
    vm_id             varchar(32),
    rows_scored       bigint       not null default 0,
    details           text,
    -- JSON text: BES Results, {"output1": {"baseLocation", "relativeLocation", "sasBlobToken"}}
    results           text,
    created_at        timestamptz  not null,
    started_at        timestamptz,
    ended_at          timestamptz,
    updated_at        timestamptz  not null
);
create unique index job_idempotency on job (service_id, idempotency_key) where idempotency_key is not null;
-- listing a service's jobs newest first
create index job_service_created on job (service_id, created_at desc, id desc);
-- the queue position of a queued job, and the per-account cap on waiting jobs
create index job_queue_waiting on job (queue_id, queue_sequence) where state = 'QUEUED';
create index job_account_waiting on job (account_id) where state in ('CREATED', 'QUEUED', 'ASSIGNED');
