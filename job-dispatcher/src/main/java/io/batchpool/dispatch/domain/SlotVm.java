package io.batchpool.dispatch.domain;

import java.util.Objects;

/** One VM of a pool and its job slots (immutable; the board replaces it on a change). */
public record SlotVm(String vmId, int slots, SlotVmState state) {

    public SlotVm {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(state, "state");
    }

    public static SlotVm ready(String vmId, int slots) {
        return new SlotVm(vmId, slots, SlotVmState.READY);
    }

    public SlotVm withState(SlotVmState next) {
        if (!state.canBecome(next)) {
            throw new IllegalStateException("VM " + vmId + " cannot go from " + state + " to " + next);
        }
        return new SlotVm(vmId, slots, next);
    }

    /** Slots offered to new jobs (running jobs will be subtracted once the dispatcher runs jobs). */
    public int freeSlots() {
        return state.offersSlots() ? slots : 0;
    }

    public SlotVm checkInvariants() {
        if (slots < 0) {
            throw new IllegalStateException("VM " + vmId + " has " + slots + " slots");
        }
        return this;
    }
}
