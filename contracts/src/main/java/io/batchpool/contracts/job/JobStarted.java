package io.batchpool.contracts.job;

import java.time.Instant;

/** RUNNING: the VM agent started the attempt. */
public record JobStarted(String jobId, String queueId, String vmId, int attempt, Instant startedAt)
        implements JobEvent {
}
