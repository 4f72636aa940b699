package io.batchpool.contracts.job;

/** The VM's first slot was taken. */
public record VmBusy(String poolId, String vmId) implements SlotEvent {
}
