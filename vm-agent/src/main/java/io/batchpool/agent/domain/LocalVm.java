package io.batchpool.agent.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One VM hosted by this process (immutable; the {@link VmHost} replaces it on every change).
 *
 * @param requestedAt  when the ProvisionVm was handled (the host's clock)
 * @param bootedAt     when it became READY (the time of its VmBooted); null while BOOTING
 * @param lastSequence sequence of the last report sent for this VM; 0 before the first (the counter starts at 1)
 */
public record LocalVm(String vmId, String poolId, int slots, LocalVmState state, Instant requestedAt,
                      Instant bootedAt, long lastSequence) {

    public LocalVm {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }

    public static LocalVm booting(String vmId, String poolId, int slots, Instant requestedAt) {
        return new LocalVm(vmId, poolId, slots, LocalVmState.BOOTING, requestedAt, null, 0);
    }

    public LocalVm withReady(Instant at, long sequence) {
        if (!state.canBecome(LocalVmState.READY)) {
            throw new IllegalStateException("VM " + vmId + " cannot become READY from " + state);
        }
        return new LocalVm(vmId, poolId, slots, LocalVmState.READY, requestedAt, at, sequence);
    }

    public LocalVm withLastSequence(long sequence) {
        return new LocalVm(vmId, poolId, slots, state, requestedAt, bootedAt, sequence);
    }

    /** The sequence of the next report about this VM. */
    public long nextSequence() {
        return lastSequence + 1;
    }

    /** Throws if the record is not a VM this host could hold; tests call it after every step. */
    public LocalVm checkInvariants() {
        if (slots < 1) {
            throw new IllegalStateException("VM " + vmId + " has " + slots + " slots");
        }
        if (lastSequence < 0) {
            throw new IllegalStateException("VM " + vmId + " has a negative sequence");
        }
        switch (state) {
            case BOOTING -> {
                if (bootedAt != null || lastSequence != 0) {
                    throw new IllegalStateException("BOOTING VM " + vmId + " has already reported");
                }
            }
            case READY -> {
                if (bootedAt == null || lastSequence < 1 || bootedAt.isBefore(requestedAt)) {
                    throw new IllegalStateException("READY VM " + vmId + " without a valid VmBooted");
                }
            }
        }
        return this;
    }
}
