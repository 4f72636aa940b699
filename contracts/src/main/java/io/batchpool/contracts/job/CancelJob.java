package io.batchpool.contracts.job;

/** Cancel the job (BES {@code DELETE .../jobs/{id}}), queued or running. */
public record CancelJob(String jobId, String queueId) implements JobCommand {
}
