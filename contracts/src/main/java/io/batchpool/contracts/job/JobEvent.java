package io.batchpool.contracts.job;

import io.batchpool.contracts.Message;

/**
 * What job-dispatcher decided about a job, on topic {@code batchpool.job-events.v1}, keyed by queue id (pool id).
 * The aggregate is the job; the envelope sequence counts the job's events, so a view keeps the newest. See
 * {@link JobState} for the transitions.
 */
public sealed interface JobEvent extends Message
        permits JobCreated, JobQueued, JobAssigned, JobStarted, JobProgressed, JobRequeued, JobFinished, JobFailed,
        JobCancelled {
    String jobId();

    String queueId();

    @Override
    default String aggregateId() {
        return jobId();
    }

    @Override
    default String key() {
        return queueId();
    }
}
