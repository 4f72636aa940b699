package io.batchpool.gateway.domain;

import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.DeletePool;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.pool.ResizePool;

import java.util.Objects;

/**
 * A pool as the gateway admitted it: owner, plan, target size and the version that numbers its commands (the
 * envelope sequence of the last command recorded for it). Immutable: {@link #apply} returns the next version.
 */
public record PoolRecord(String poolId, String accountId, String name, String billingPlanId, int slotsPerVm,
                         PoolStatus status, int targetVms, long version) {

    public PoolRecord {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(billingPlanId, "billingPlanId");
        Objects.requireNonNull(status, "status");
        if (targetVms < 0 || version < 1 || slotsPerVm < 1) {
            throw new IllegalArgumentException("invalid pool record " + poolId);
        }
    }

    /** The pool a {@link CreatePool} brings into being, at version 1. */
    public static PoolRecord created(CreatePool command, String name) {
        return new PoolRecord(command.poolId(), command.accountId(), name, command.billingPlanId(),
                command.slotsPerVm(), PoolStatus.ACTIVE, command.targetVms(), 1);
    }

    /** The pool after a further command: the only way a pool changes; the version grows by one per command. */
    public PoolRecord apply(PoolCommand command) {
        if (!command.poolId().equals(poolId)) {
            throw new IllegalArgumentException("command for pool " + command.poolId() + " applied to " + poolId);
        }
        if (command instanceof ResizePool r) {
            return new PoolRecord(poolId, accountId, name, billingPlanId, slotsPerVm, status, r.targetVms(),
                    version + 1);
        }
        if (command instanceof DeletePool) {
            return new PoolRecord(poolId, accountId, name, billingPlanId, slotsPerVm, PoolStatus.DELETING, 0,
                    version + 1);
        }
        throw new IllegalArgumentException("pool " + poolId + " already exists");
    }

    /** Whether the pool counts towards the account's {@code maxPools}. */
    public boolean countsTowardsQuota() {
        return status == PoolStatus.ACTIVE;
    }
}
