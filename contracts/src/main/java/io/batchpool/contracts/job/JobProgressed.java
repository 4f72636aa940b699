package io.batchpool.contracts.job;

import java.time.Instant;

/**
 * Rows scored so far by the current attempt. With {@code succeededAt} (optional, the agent's time): the attempt
 * reported success and was told to commit its outputs (CommitResults); a later loss of its VM does not requeue
 * the job past that commit.
 */
public record JobProgressed(String jobId, String queueId, int attempt, long rowsScored,
                            Instant succeededAt) implements JobEvent {

    public JobProgressed(String jobId, String queueId, int attempt, long rowsScored) {
        this(jobId, queueId, attempt, rowsScored, null);
    }
}
