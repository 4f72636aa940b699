package io.batchpool.contracts.job;

/**
 * The attempt was lost (its VM disappeared) or failed in a way worth retrying; the job is QUEUED again, at the
 * head of its queue, for attempt {@code nextAttempt}.
 */
public record JobRequeued(String jobId, String queueId, int nextAttempt, String reason, long queueSequence)
        implements JobEvent {
}
