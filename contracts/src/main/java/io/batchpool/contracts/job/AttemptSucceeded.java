package io.batchpool.contracts.job;

/** Every output is staged (blocks on the blob, not yet committed); waiting for {@link CommitResults}. */
public record AttemptSucceeded(String jobId, String queueId, String vmId, int attempt, long rowsScored)
        implements JobReport {
}
