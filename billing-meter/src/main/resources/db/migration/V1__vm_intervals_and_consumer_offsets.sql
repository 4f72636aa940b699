-- Billed VM intervals: one row per VM, from provisioning (VmProvisioned.provisionedAt) to deletion
-- (VmDeleted.deletedAt, null while the VM runs). Written only by the vm-events consumer.
create table vm_interval (
    vm_id           text        primary key,
    pool_id         text        not null,
    account_id      text,
    billing_plan_id text,
    slots           integer     not null,
    provisioned_at  timestamptz not null,
    deleted_at      timestamptz,
    constraint vm_interval_ends_after_start check (deleted_at is null or deleted_at >= provisioned_at)
);

create index vm_interval_pool_idx on vm_interval (pool_id, provisioned_at);
create index vm_interval_account_idx on vm_interval (account_id, provisioned_at);
create index vm_interval_plan_idx on vm_interval (billing_plan_id, provisioned_at);

-- The last Kafka offset applied per topic-partition, updated in the same transaction as vm_interval, so that a
-- crash at any instant loses nothing and doubles nothing: on start the consumer seeks to last_offset + 1.
create table consumer_offset (
    topic        text        not null,
    partition_id integer     not null,
    last_offset  bigint      not null,
    updated_at   timestamptz not null,
    primary key (topic, partition_id)
);
