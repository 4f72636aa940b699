package io.batchpool.contracts.job;

import java.time.Duration;
import java.util.Map;

/**
 * What to run, fixed at submission: the web service version (a job keeps the version it was submitted with), the
 * named inputs and outputs, the global parameters (validated by the gateway) and the run-time limit.
 *
 * @param poolId null for a classic job (it runs in the shared classic pool)
 */
public record JobSpec(String jobId, String accountId, String serviceId, int serviceVersion, String poolId,
                      Map<String, BlobLocation> inputs, Map<String, BlobLocation> outputs,
                      Map<String, String> globalParameters, Duration maxRunTime) {
}
