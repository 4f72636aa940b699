package io.batchpool.contracts.job;

import java.time.Instant;

/**
 * The attempt was lost (its VM disappeared) or failed in a way worth retrying; the job is QUEUED again, at the
 * head of its queue, for attempt {@code nextAttempt}. {@code attemptEndedAt} (optional): when the attempt ended as
 * its agent tells, or its lost VM's last heartbeat.
 */
public record JobRequeued(String jobId, String queueId, int nextAttempt, String reason, long queueSequence,
                          Instant attemptEndedAt) implements JobEvent {

    public JobRequeued(String jobId, String queueId, int nextAttempt, String reason, long queueSequence) {
        this(jobId, queueId, nextAttempt, reason, queueSequence, null);
    }
}
