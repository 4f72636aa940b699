package io.batchpool.contracts.pool;

/**
 * The life of a pool, owned by pool-manager.
 *
 * <pre>
 *   CreatePool ──▶ ACTIVE ──ResizePool (any size, also 0)──▶ ACTIVE
 *                    │
 *                DeletePool
 *                    ▼
 *                 DELETING ──(last VM deleted)──▶ DELETED
 * </pre>
 * <ul>
 *   <li>ACTIVE: accepts resize and delete; VMs are reconciled towards the target size.</li>
 *   <li>DELETING: target is 0 and no new work is accepted; idle VMs are deleted at once, busy VMs drain. A
 *       resize is ignored; a repeated delete is a no-op (a forced one cancels running jobs).</li>
 *   <li>DELETED: terminal; every command is ignored.</li>
 * </ul>
 */
public enum PoolState {
    ACTIVE, DELETING, DELETED;

    public boolean accepts(PoolCommand command) {
        return switch (this) {
            case ACTIVE -> true;
            case DELETING -> command instanceof DeletePool;
            case DELETED -> false;
        };
    }
}
