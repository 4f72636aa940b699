package io.batchpool.contracts.job;

/** ASSIGNED: attempt {@code attempt} (1-based) holds a slot of VM {@code vmId}. */
public record JobAssigned(String jobId, String queueId, String vmId, int attempt) implements JobEvent {
}
