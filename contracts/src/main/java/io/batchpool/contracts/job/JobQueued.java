package io.batchpool.contracts.job;

/**
 * QUEUED: waiting for a slot. {@code queueSequence} increases along the queue, so a view can tell a job's position
 * (how many queued jobs of the same queue have a lower sequence) without an event per move.
 */
public record JobQueued(String jobId, String queueId, long queueSequence) implements JobEvent {
}
