package io.batchpool.contracts.job;

import java.time.Instant;

/** FAILED: {@code details} tells the user what and where (e.g. line and column of a bad cell). */
public record JobFailed(String jobId, String queueId, int attempt, String details, Instant endedAt)
        implements JobEvent {
}
