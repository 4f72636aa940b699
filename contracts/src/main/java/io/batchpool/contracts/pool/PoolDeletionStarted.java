package io.batchpool.contracts.pool;

/**
 * The pool is DELETING: target 0, no new jobs; {@code force} also stops busy VMs at once. {@code commandSequence}
 * is that of the DeletePool it answers.
 */
public record PoolDeletionStarted(String poolId, boolean force, long commandSequence) implements PoolEvent {
}
