package io.batchpool.contracts.job;

import java.time.Instant;
import java.util.Map;

/**
 * FINISHED: every output was committed; {@code results} is BES {@code Results} (output name to location).
 * {@code endedAt} is when job-dispatcher decided it; {@code attemptEndedAt} (optional) when the agent finished the
 * attempt (its own time), which is what run time is metered by.
 */
public record JobFinished(String jobId, String queueId, int attempt, Map<String, ResultLocation> results,
                          long rowsScored, Instant endedAt,
                          Instant attemptEndedAt) implements JobEvent {

    public JobFinished(String jobId, String queueId, int attempt, Map<String, ResultLocation> results,
                       long rowsScored, Instant endedAt) {
        this(jobId, queueId, attempt, results, rowsScored, endedAt, null);
    }
}
