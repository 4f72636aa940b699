package io.batchpool.dispatch.domain;

/**
 * A VM as the dispatcher sees it, from pool-manager's VM events.
 *
 * <pre>
 *   VmProvisioned ──▶ READY ──VmDrainStarted──▶ DRAINING
 *                       │                           │
 *                       └────────VmDeleted──────────┴──▶ (removed from the board)
 * </pre>
 * READY offers its slots to jobs; DRAINING offers none (its running jobs finish, then pool-manager deletes it).
 */
public enum SlotVmState {
    READY, DRAINING;

    public boolean canBecome(SlotVmState next) {
        return this == READY && next == DRAINING;
    }

    /** Whether a VM in this state takes new jobs. */
    public boolean offersSlots() {
        return this == READY;
    }
}
