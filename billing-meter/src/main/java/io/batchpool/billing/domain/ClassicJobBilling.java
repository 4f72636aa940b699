package io.batchpool.billing.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFailed;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.job.JobStarted;

import java.util.Objects;
import java.util.Optional;

/**
 * Decides what a job event means for classic metering: only jobs of the classic queue (jobs without
 * {@code AzureBatchPoolId}) are metered, as run time per web service and account. Times come only from the events:
 * a run starts at {@code JobStarted.startedAt} and ends at {@code endedAt} of JobFinished / JobFailed /
 * JobCancelled, or at the envelope's {@code occurredAt} of JobRequeued (the attempt was lost or failed and the job
 * waits again; its next attempt is a new run).
 */
public final class ClassicJobBilling {
    private final String classicQueueId;

    public ClassicJobBilling(String classicQueueId) {
        this.classicQueueId = Objects.requireNonNull(classicQueueId, "classicQueueId");
    }

    public String classicQueueId() {
        return classicQueueId;
    }

    /**
     * @return the run change, or empty for a job of another queue or an event that moves no run (queued, assigned,
     *         progressed)
     * @throws InvalidJobEvent if a classic job's event lacks an id or a time metering needs
     */
    public Optional<RunChange> decide(Envelope<? extends JobEvent> envelope) {
        JobEvent event = envelope.data();
        if (!classicQueueId.equals(event.queueId())) {
            return Optional.empty();
        }
        require(event.jobId(), "jobId", event);
        if (event instanceof JobCreated c) {
            require(c.accountId(), "accountId", event);
            require(c.serviceId(), "serviceId", event);
            return Optional.of(new RunChange.JobKnown(c.jobId(), c.accountId(), c.serviceId(), c.serviceVersion()));
        }
        if (event instanceof JobStarted s) {
            require(s.startedAt(), "startedAt", event);
            return Optional.of(new RunChange.RunStarted(s.jobId(), s.attempt(), s.startedAt()));
        }
        if (event instanceof JobFinished f) {
            require(f.endedAt(), "endedAt", event);
            return Optional.of(new RunChange.RunEnded(f.jobId(), f.attempt(), f.endedAt()));
        }
        if (event instanceof JobFailed f) {
            require(f.endedAt(), "endedAt", event);
            return Optional.of(new RunChange.RunEnded(f.jobId(), f.attempt(), f.endedAt()));
        }
        if (event instanceof JobCancelled c) {
            require(c.endedAt(), "endedAt", event);
            // the event names no attempt; a cancelled job is terminal, so whichever run is open is its last one
            return Optional.of(new RunChange.RunEnded(c.jobId(), RunChange.RunEnded.ANY_ATTEMPT, c.endedAt()));
        }
        if (event instanceof JobRequeued r) {
            if (r.nextAttempt() < 2) {
                throw new InvalidJobEvent("JobRequeued of classic job " + r.jobId() + " with nextAttempt "
                        + r.nextAttempt());
            }
            // the attempt before the next one ended when the dispatcher decided to requeue it
            return Optional.of(new RunChange.RunEnded(r.jobId(), r.nextAttempt() - 1, envelope.occurredAt()));
        }
        return Optional.empty(); // JobQueued, JobAssigned, JobProgressed: no run starts or ends
    }

    private static void require(Object value, String field, JobEvent event) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new InvalidJobEvent(event.getClass().getSimpleName() + " of classic job " + event.jobId()
                    + " without " + field);
        }
    }
}
