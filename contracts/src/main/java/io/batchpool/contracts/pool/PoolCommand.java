package io.batchpool.contracts.pool;

import io.batchpool.contracts.Message;

/**
 * Commands on topic {@code batchpool.pool-commands.v1}, keyed by pool id. Written by api-gateway (the admission
 * authority, via its outbox) after it has checked quotas; the envelope sequence is the pool's version in the
 * gateway, so pool-manager applies each version once, in order.
 */
public sealed interface PoolCommand extends Message permits CreatePool, ResizePool, DeletePool {
    String poolId();

    @Override
    default String aggregateId() {
        return poolId();
    }
}
