package io.batchpool.contracts.pool;

/** Delete the pool: no new jobs, queued jobs cancelled, busy VMs drain (or, with {@code force}, are stopped). */
public record DeletePool(String poolId, boolean force) implements PoolCommand {
}
