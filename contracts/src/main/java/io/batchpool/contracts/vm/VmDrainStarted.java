package io.batchpool.contracts.vm;

/** A busy VM is to be deleted once its running jobs finish; it takes no new job and is billed until deleted. */
public record VmDrainStarted(String poolId, String vmId) implements VmEvent {
}
