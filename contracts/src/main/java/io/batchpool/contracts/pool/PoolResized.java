package io.batchpool.contracts.pool;

/** The target size changed (also to 0); {@code commandSequence} is that of the ResizePool it answers. */
public record PoolResized(String poolId, int previousTargetVms, int targetVms, long commandSequence)
        implements PoolEvent {
}
