package io.batchpool.contracts.job;

/** CREATED: the dispatcher holds the job; it is not started. */
public record JobCreated(String jobId, String queueId, String accountId, String serviceId, int serviceVersion)
        implements JobEvent {
}
