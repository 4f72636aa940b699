package io.batchpool.contracts.pool;

/**
 * A snapshot of the pool's counts after a change, for read views (the gateway's pool view). Derived: replaying
 * state ignores it. Views keep the one with the highest sequence.
 */
public record PoolStatusChanged(String poolId, PoolState state, int targetVms, int vmsProvisioning, int vmsReady,
                                int vmsDraining) implements PoolEvent {
}
