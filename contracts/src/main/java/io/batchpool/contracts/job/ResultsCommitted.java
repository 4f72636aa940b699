package io.batchpool.contracts.job;

import java.util.Map;

/** The outputs are at their final names; {@code results} is what the client downloads. */
public record ResultsCommitted(String jobId, String queueId, String vmId, int attempt,
                               Map<String, ResultLocation> results) implements JobReport {
}
