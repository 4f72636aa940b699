package io.batchpool.contracts.job;

/** Queue the job (BES {@code POST .../jobs/{id}/start}); a repeated start of a queued or running job is a no-op. */
public record StartJob(String jobId, String queueId) implements JobCommand {
}
