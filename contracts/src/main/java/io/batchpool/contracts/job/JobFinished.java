package io.batchpool.contracts.job;

import java.time.Instant;
import java.util.Map;

/** FINISHED: every output was committed; {@code results} is BES {@code Results} (output name to location). */
public record JobFinished(String jobId, String queueId, int attempt, Map<String, ResultLocation> results,
                          long rowsScored, Instant endedAt) implements JobEvent {
}
