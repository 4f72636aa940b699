package io.batchpool.contracts.vm;

/** The VM is alive (sent every heartbeat interval). */
public record VmHeartbeat(String poolId, String vmId, String agentId) implements VmReport {
}
