package io.batchpool.contracts.job;

import java.time.Instant;

/**
 * FAILED: {@code details} tells the user what and where (e.g. line and column of a bad cell). {@code endedAt} is
 * when job-dispatcher decided it; {@code attemptEndedAt} (optional) when the last attempt ended as its agent tells
 * (or its lost VM's last heartbeat).
 */
public record JobFailed(String jobId, String queueId, int attempt, String details, Instant endedAt,
                        Instant attemptEndedAt) implements JobEvent {

    public JobFailed(String jobId, String queueId, int attempt, String details, Instant endedAt) {
        this(jobId, queueId, attempt, details, endedAt, null);
    }
}
