-- The gateway's admission state (DESIGN §3): accounts and their quotas, pools with their admitted target size
-- and command version, the pool view columns fed by pool events, and the transactional outbox of pool commands.

create table account (
    id               varchar(32)  primary key,
    name             varchar(200) not null,
    key_hash         char(64)     not null,
    max_pools        integer      not null check (max_pools between 0 and 1000),
    max_vms_per_pool integer      not null check (max_vms_per_pool between 0 and 10000),
    disabled         boolean      not null default false,
    created_at       timestamptz  not null,
    updated_at       timestamptz  not null
);
create unique index account_key_hash on account (key_hash);

create table pool (
    id               varchar(32)  primary key,
    account_id       varchar(32)  not null references account (id),
    name             varchar(128),
    billing_plan_id  varchar(64)  not null,
    slots_per_vm     integer      not null check (slots_per_vm between 1 and 64),
    state            varchar(16)  not null check (state in ('ACTIVE', 'DELETING', 'DELETED')),
    target_vms       integer      not null check (target_vms >= 0),
    -- envelope sequence of the last command recorded for the pool (CreatePool = 1, +1 per command)
    version          bigint       not null,
    -- view of pool-manager's counts; view_sequence is the envelope sequence of the PoolEvent they came from
    vms_provisioning integer      not null default 0,
    vms_ready        integer      not null default 0,
    vms_draining     integer      not null default 0,
    view_sequence    bigint       not null default 0,
    created_at       timestamptz  not null,
    updated_at       timestamptz  not null
);
create index pool_account_state on pool (account_id, state);

-- Pool commands recorded in the same transaction as the pool row; relayed to Kafka in id order, then deleted.
create table outbox (
    id          bigserial    primary key,
    topic       varchar(200) not null,
    record_key  varchar(64)  not null,
    payload     bytea        not null,
    created_at  timestamptz  not null
);
