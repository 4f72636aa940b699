-- Classic jobs (jobs of the classic queue, i.e. without AzureBatchPoolId) and their metered runs, written only by
-- the job-events consumer in the same transaction as its consumer_offset rows.

-- Whose job it is, from JobCreated (the first one wins).
create table classic_job (
    job_id          text    primary key,
    account_id      text    not null,
    service_id      text    not null,
    service_version integer not null
);

create index classic_job_account_idx on classic_job (account_id);
create index classic_job_service_idx on classic_job (service_id);

-- One row per started attempt: from JobStarted.startedAt to the end (JobFinished / JobFailed / JobCancelled endedAt,
-- or JobRequeued's occurredAt), null while it runs. Account and service are copied from classic_job at the start.
create table classic_run (
    job_id     text        not null,
    attempt    integer     not null,
    account_id text        not null,
    service_id text        not null,
    started_at timestamptz not null,
    ended_at   timestamptz,
    primary key (job_id, attempt),
    constraint classic_run_ends_after_start check (ended_at is null or ended_at >= started_at)
);

create index classic_run_account_idx on classic_run (account_id, started_at);
create index classic_run_service_idx on classic_run (service_id, started_at);
