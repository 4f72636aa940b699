package io.batchpool.contracts.vm;

/** The VM finished provisioning: its agent is up and can take jobs. The envelope time starts billing. */
public record VmBooted(String poolId, String vmId, String agentId, int slots) implements VmReport {
}
