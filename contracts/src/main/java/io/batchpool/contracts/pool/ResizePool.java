package io.batchpool.contracts.pool;

/** Set the pool's target VM count (0 allowed: the pool keeps existing but costs nothing once its VMs are gone). */
public record ResizePool(String poolId, int targetVms) implements PoolCommand {
}
