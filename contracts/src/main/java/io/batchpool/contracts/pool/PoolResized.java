package io.batchpool.contracts.pool;

public record PoolResized(String poolId, int previousTargetVms, int targetVms) implements PoolEvent {
}
