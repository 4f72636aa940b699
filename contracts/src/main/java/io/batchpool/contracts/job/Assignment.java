package io.batchpool.contracts.job;

import io.batchpool.contracts.Message;

/**
 * From job-dispatcher to one VM, on topic {@code batchpool.assignments.v1}, keyed by VM id: an agent reads only
 * the partition its VM id maps to and ignores other keys. Every message names the attempt: an agent acts only on
 * the attempt it was given, and only the current attempt may commit its outputs.
 */
public sealed interface Assignment extends Message permits AssignJob, RevokeJob, CommitResults {
    String vmId();

    String jobId();

    int attempt();

    @Override
    default String aggregateId() {
        return vmId();
    }
}
