package io.batchpool.contracts.vm;

/** The VM shut down (after a DeprovisionVm, or on its own). The envelope time stops billing. */
public record VmStopped(String poolId, String vmId, String agentId) implements VmReport {
}
