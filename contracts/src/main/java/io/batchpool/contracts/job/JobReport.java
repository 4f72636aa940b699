package io.batchpool.contracts.job;

import io.batchpool.contracts.Message;

/**
 * What a VM agent says about an attempt, on topic {@code batchpool.job-reports.v1}, keyed by queue id (so the
 * dispatcher's partition owner of that queue sees it). The aggregate is the job; the envelope sequence counts the
 * attempt's reports. The dispatcher ignores reports of an attempt that is not current.
 */
public sealed interface JobReport extends Message
        permits AttemptStarted, AttemptProgressed, AttemptSucceeded, AttemptFailed, ResultsCommitted {
    String jobId();

    String queueId();

    String vmId();

    int attempt();

    @Override
    default String aggregateId() {
        return jobId();
    }

    @Override
    default String key() {
        return queueId();
    }
}
