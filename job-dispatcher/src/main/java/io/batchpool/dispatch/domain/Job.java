package io.batchpool.dispatch.domain;

import io.batchpool.contracts.job.JobState;

import java.util.Objects;

/**
 * One job as the dispatcher knows it (its spec, needed only to assign it, is kept beside it until it ends). Immutable; {@link JobDispatcher#apply} replaces it.
 *
 * @param attempt       the current (or last) attempt, 0 before the first assignment
 * @param vmId          the VM holding the current attempt's slot while ASSIGNED or RUNNING
 * @param queueSequence position key in the queue while QUEUED (lower runs first; requeued jobs go to the head)
 * @param lastSequence  the sequence of the job's newest event
 */
public record Job(String jobId, String queueId, String serviceId, JobState state, int attempt,
                  String vmId, long queueSequence, long lastSequence) {

    public Job {
        Objects.requireNonNull(jobId);
        Objects.requireNonNull(queueId);
        Objects.requireNonNull(state);
    }

    Job with(JobState next, int newAttempt, String newVm, long newQueueSequence, long sequence) {
        if (next != state && !state.canBecome(next)) {
            throw new IllegalStateException("job " + jobId + " cannot go from " + state + " to " + next);
        }
        return new Job(jobId, queueId, serviceId, next, newAttempt, newVm, newQueueSequence,
                Math.max(lastSequence, sequence));
    }

    Job withSequence(long sequence) {
        return new Job(jobId, queueId, serviceId, state, attempt, vmId, queueSequence,
                Math.max(lastSequence, sequence));
    }

    public boolean holdsSlot() {
        return state == JobState.ASSIGNED || state == JobState.RUNNING;
    }

    public void checkInvariants() {
        if (holdsSlot() != (vmId != null)) {
            throw new IllegalStateException("job " + jobId + " in " + state + " on VM " + vmId);
        }
        if (holdsSlot() && attempt < 1) {
            throw new IllegalStateException("job " + jobId + " holds a slot with attempt " + attempt);
        }
    }
}
