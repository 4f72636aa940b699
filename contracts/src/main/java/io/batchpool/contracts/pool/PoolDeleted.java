package io.batchpool.contracts.pool;

/** The pool's last VM is deleted; nothing of it is billed any more. */
public record PoolDeleted(String poolId) implements PoolEvent {
}
