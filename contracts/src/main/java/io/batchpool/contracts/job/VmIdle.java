package io.batchpool.contracts.job;

/** The VM's last busy slot freed. */
public record VmIdle(String poolId, String vmId) implements SlotEvent {
}
