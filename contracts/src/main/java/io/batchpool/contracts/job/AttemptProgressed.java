package io.batchpool.contracts.job;

public record AttemptProgressed(String jobId, String queueId, String vmId, int attempt, long rowsScored)
        implements JobReport {
}
