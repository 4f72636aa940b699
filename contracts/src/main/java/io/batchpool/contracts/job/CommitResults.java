package io.batchpool.contracts.job;

/** The attempt is still the current one: move its temporary outputs to their final names. */
public record CommitResults(String vmId, String jobId, int attempt) implements Assignment {
}
