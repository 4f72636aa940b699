package io.batchpool.contracts.pool;

import io.batchpool.contracts.Message;

/**
 * Events on topic {@code batchpool.pool-events.v1}, keyed by pool id, written only by pool-manager. The envelope
 * sequence is the pool's event sequence, shared with {@code batchpool.vm-events.v1}: merging both topics by it
 * gives the pool's exact history.
 */
public sealed interface PoolEvent extends Message
        permits PoolCreated, PoolResized, PoolDeletionStarted, PoolDeleted, PoolStatusChanged {
    String poolId();

    @Override
    default String aggregateId() {
        return poolId();
    }
}
