package io.batchpool.pool.domain;

import io.batchpool.contracts.pool.PoolState;
import io.batchpool.contracts.pool.PoolStatusChanged;

import java.util.Objects;

/**
 * A pool as pool-manager knows it. Immutable; changed only by {@link Evolution}.
 *
 * @param lastCommandSequence the newest gateway command version applied (older or equal ones are duplicates)
 * @param lastEventSequence   the sequence of the pool's newest event (the next event gets this + 1)
 * @param lastStatus          the last PoolStatusChanged emitted, so a new one is emitted only when counts change
 */
public record Pool(String poolId, String accountId, String billingPlanId, int slotsPerVm, int targetVms,
                   PoolState state, boolean force, long lastCommandSequence, long lastEventSequence,
                   PoolStatusChanged lastStatus) {

    public Pool {
        Objects.requireNonNull(poolId);
        Objects.requireNonNull(state);
    }

    Pool with(int target, PoolState newState, boolean newForce, long commandSeq) {
        return new Pool(poolId, accountId, billingPlanId, slotsPerVm, target, newState, newForce,
                Math.max(lastCommandSequence, commandSeq), lastEventSequence, lastStatus);
    }

    Pool withLastEventSequence(long seq) {
        return new Pool(poolId, accountId, billingPlanId, slotsPerVm, targetVms, state, force, lastCommandSequence,
                seq, lastStatus);
    }

    Pool withLastStatus(PoolStatusChanged status) {
        return new Pool(poolId, accountId, billingPlanId, slotsPerVm, targetVms, state, force, lastCommandSequence,
                lastEventSequence, status);
    }

    public void checkInvariants() {
        if (targetVms < 0 || slotsPerVm < 1) {
            throw new IllegalStateException("pool " + poolId + " target " + targetVms + " slots " + slotsPerVm);
        }
        if (state != PoolState.ACTIVE && targetVms != 0) {
            throw new IllegalStateException("pool " + poolId + " is " + state + " with target " + targetVms);
        }
    }
}
