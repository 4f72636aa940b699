package io.batchpool.contracts.job;

/** Rows scored so far by the current attempt. */
public record JobProgressed(String jobId, String queueId, int attempt, long rowsScored) implements JobEvent {
}
