-- The web service registry (DESIGN §1, §3): a web service of an account, its API keys (SHA-256 hex only) and
-- every version of its model. A job keeps the version it was submitted with, so versions are never overwritten
-- and a deleted service keeps its rows (deleted = true): only the registry's API stops showing it.

create table web_service (
    id                 varchar(32)  primary key,
    account_id         varchar(32)  not null references account (id),
    name               varchar(128) not null,
    kind               varchar(8)   not null check (kind in ('CLASSIC', 'NEW')),
    -- a "new" service carries the plan that a pool created from its swagger.json takes; a classic one has none
    billing_plan_id    varchar(64),
    current_version    integer      not null check (current_version >= 1),
    primary_key_hash   char(64)     not null,
    secondary_key_hash char(64)     not null,
    deleted            boolean      not null default false,
    created_at         timestamptz  not null,
    updated_at         timestamptz  not null,
    check ((kind = 'CLASSIC') = (billing_plan_id is null))
);
create index web_service_account on web_service (account_id);

create table web_service_version (
    id            bigserial    primary key,
    service_id    varchar(32)  not null references web_service (id),
    version       integer      not null check (version >= 1),
    model         bytea        not null,
    model_sha256  char(64)     not null,
    -- JSON text: [{"name": "age", "type": "numeric"|"categorical"}, ...] in the model's input order
    input_schema  text         not null,
    -- JSON text: [{"name": "...", "default": "..."?}, ...]; a parameter without default is required
    parameters    text         not null,
    created_at    timestamptz  not null,
    unique (service_id, version)
);
