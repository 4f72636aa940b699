package io.batchpool.contracts.job;

public record AttemptStarted(String jobId, String queueId, String vmId, int attempt) implements JobReport {
}
