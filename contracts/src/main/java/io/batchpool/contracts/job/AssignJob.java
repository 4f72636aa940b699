package io.batchpool.contracts.job;

/** Run attempt {@code attempt} of the job on this VM (one slot). */
public record AssignJob(String vmId, String jobId, int attempt, JobSpec spec) implements Assignment {
}
