package io.batchpool.gateway.domain;

import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.DeletePool;
import io.batchpool.contracts.pool.ResizePool;

/**
 * The admission rules for pool commands (DESIGN §3): the caller holds the account row lock, passes what it read
 * under it, and records the accepted command with the pool's next version. Deciding changes nothing.
 */
public final class PoolAdmission {
    private PoolAdmission() {
    }

    /**
     * @param activePools the account's pools that count towards {@code maxPools} (not deleting, not deleted)
     */
    public static Decision<CreatePool> create(AccountLimits limits, long activePools, String poolId,
                                              String accountId, String billingPlanId, PoolSpec spec) {
        if (activePools >= limits.maxPools()) {
            return Decision.reject(ErrorCode.QuotaExceeded, "the account may have " + limits.maxPools()
                    + " pools and has " + activePools);
        }
        if (spec.vmCount() > limits.maxVmsPerPool()) {
            return Decision.reject(ErrorCode.QuotaExceeded, "vmCount " + spec.vmCount()
                    + " exceeds the account's maxVmsPerPool " + limits.maxVmsPerPool());
        }
        return Decision.accept(new CreatePool(poolId, accountId, billingPlanId, spec.vmCount(), spec.slotsPerVm()));
    }

    /**
     * A resize must stay within {@code maxVmsPerPool}, except that shrinking is always allowed (an operator may
     * have lowered the quota below a pool's size). Resizing to the current size records nothing.
     */
    public static Decision<ResizePool> resize(AccountLimits limits, PoolRecord pool, int vmCount) {
        switch (pool.status()) {
            case DELETED:
                return Decision.reject(ErrorCode.PoolNotFound, "no pool " + pool.poolId());
            case DELETING:
                return Decision.reject(ErrorCode.PoolDeleting, "pool " + pool.poolId() + " is being deleted");
            default:
                break;
        }
        if (vmCount > limits.maxVmsPerPool() && vmCount > pool.targetVms()) {
            return Decision.reject(ErrorCode.QuotaExceeded, "vmCount " + vmCount
                    + " exceeds the account's maxVmsPerPool " + limits.maxVmsPerPool());
        }
        if (vmCount == pool.targetVms()) {
            return Decision.unchanged();
        }
        return Decision.accept(new ResizePool(pool.poolId(), vmCount));
    }

    /** Deleting a deleting pool again records nothing, unless it is forced (which also stops running jobs). */
    public static Decision<DeletePool> delete(PoolRecord pool, boolean force) {
        return switch (pool.status()) {
            case DELETED -> Decision.reject(ErrorCode.PoolNotFound, "no pool " + pool.poolId());
            case DELETING -> force ? Decision.accept(new DeletePool(pool.poolId(), true)) : Decision.unchanged();
            case ACTIVE -> Decision.accept(new DeletePool(pool.poolId(), force));
        };
    }
}
