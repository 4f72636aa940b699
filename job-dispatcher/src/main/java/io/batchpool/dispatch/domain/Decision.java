package io.batchpool.dispatch.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.SlotEvent;

import java.util.List;

/**
 * What a handler of {@link JobDispatcher} decided: job events to append (apply them, in order, with
 * {@link JobDispatcher#apply}), assignments to send to VMs, and slot events for pool-manager. Deciding changes
 * nothing.
 */
public record Decision(List<Envelope<JobEvent>> events, List<Assignment> assignments, List<Envelope<SlotEvent>> slots) {
    public static final Decision NONE = new Decision(List.of(), List.of(), List.of());

    public boolean isEmpty() {
        return events.isEmpty() && assignments.isEmpty() && slots.isEmpty();
    }
}
