package io.batchpool.contracts.pool;

public record PoolDeletionStarted(String poolId, boolean force) implements PoolEvent {
}
