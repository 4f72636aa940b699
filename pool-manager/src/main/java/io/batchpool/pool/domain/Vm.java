package io.batchpool.pool.domain;

import io.batchpool.contracts.vm.VmState;

import java.time.Instant;
import java.util.Objects;

/** One VM of a pool, as pool-manager knows it. Immutable; changed only by {@link Evolution}. */
public record Vm(String vmId, String poolId, VmState state, int slots, Instant requestedAt, Instant provisionedAt) {

    public Vm {
        Objects.requireNonNull(vmId);
        Objects.requireNonNull(poolId);
        Objects.requireNonNull(state);
        Objects.requireNonNull(requestedAt);
    }

    public Vm withState(VmState next) {
        if (!state.canBecome(next)) {
            throw new IllegalStateException("VM " + vmId + " cannot go from " + state + " to " + next);
        }
        return new Vm(vmId, poolId, next, slots, requestedAt, provisionedAt);
    }

    public Vm provisioned(Instant at) {
        return new Vm(vmId, poolId, VmState.PROVISIONING, slots, requestedAt, at).withState(VmState.READY);
    }

    /** A VM is billed (provisionedAt set) exactly when it has been READY. */
    public void checkInvariants() {
        boolean billed = provisionedAt != null;
        boolean mustBeBilled = state == VmState.READY || state == VmState.DRAINING;
        if (billed != mustBeBilled && state != VmState.DELETED) {
            throw new IllegalStateException("VM " + vmId + " in " + state + " with provisionedAt " + provisionedAt);
        }
        if (slots < 1) {
            throw new IllegalStateException("VM " + vmId + " has " + slots + " slots");
        }
    }
}
