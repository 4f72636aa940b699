package io.batchpool.contracts.job;

/** Every output is written to its temporary blob; waiting for {@link CommitResults}. */
public record AttemptSucceeded(String jobId, String queueId, String vmId, int attempt, long rowsScored)
        implements JobReport {
}
