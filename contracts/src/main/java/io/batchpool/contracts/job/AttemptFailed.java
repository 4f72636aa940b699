package io.batchpool.contracts.job;

/**
 * The attempt failed. {@code retryable} is false for the user's own errors (missing input blob, bad CSV, run-time
 * limit): retrying those cannot help, the job fails with {@code details}.
 */
public record AttemptFailed(String jobId, String queueId, String vmId, int attempt, String details,
                            boolean retryable) implements JobReport {
}
