package io.batchpool.contracts.job;

/** A job is created (BES {@code POST .../jobs}); it waits, NotStarted, until started. */
public record SubmitJob(String jobId, String queueId, JobSpec spec) implements JobCommand {
}
