package io.batchpool.contracts.job;

/** Stop the attempt (cancelled, or superseded) and discard its temporary outputs. */
public record RevokeJob(String vmId, String jobId, int attempt, String reason) implements Assignment {
}
