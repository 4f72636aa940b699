package io.batchpool.contracts.job;

import io.batchpool.contracts.Message;

/**
 * Commands on topic {@code batchpool.job-commands.v1}, from api-gateway to job-dispatcher. The aggregate is the
 * job (envelope sequence: 1 submit, then one per start or cancel); the record key is {@code queueId}: the pool id,
 * or the classic pool's id for jobs without {@code AzureBatchPoolId}, so one partition owner holds a queue.
 * A start or cancel the dispatcher cannot apply (terminal job) is ignored.
 */
public sealed interface JobCommand extends Message permits SubmitJob, StartJob, CancelJob {
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
