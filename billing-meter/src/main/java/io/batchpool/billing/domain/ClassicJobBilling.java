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
 * {@code AzureBatchPoolId}) are metered, as run time per web service and account. A run is the agent's own time:
 * it starts at {@code JobStarted.startedAt} (the agent's AttemptStarted) and ends at {@code attemptEndedAt} of
 * JobFinished / JobFailed / JobRequeued (the agent's success or failure report, or a lost VM's last heartbeat),
 * so time the platform spent deciding (a dispatcher restart, a broker outage) is never billed. Events written
 * before {@code attemptEndedAt} existed end at {@code endedAt}, or at the envelope's {@code occurredAt} of
 * JobRequeued; a cancellation ends at its {@code endedAt}. A finished or failed job is terminal: whichever run is
 * still open ends with it (an attempt revoked because an earlier one had committed).
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
            return Optional.of(new RunChange.RunEnded(f.jobId(), RunChange.RunEnded.ANY_ATTEMPT,
                    orElse(f.attemptEndedAt(), f.endedAt())));
        }
        if (event instanceof JobFailed f) {
            require(f.endedAt(), "endedAt", event);
            return Optional.of(new RunChange.RunEnded(f.jobId(), RunChange.RunEnded.ANY_ATTEMPT,
                    orElse(f.attemptEndedAt(), f.endedAt())));
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
            // the attempt before the next one ended when its agent said so (or its VM was last heard of)
            return Optional.of(new RunChange.RunEnded(r.jobId(), r.nextAttempt() - 1,
                    orElse(r.attemptEndedAt(), envelope.occurredAt())));
        }
        return Optional.empty(); // JobQueued, JobAssigned, JobProgressed: no run starts or ends
    }

    private static java.time.Instant orElse(java.time.Instant agentTime, java.time.Instant fallback) {
        return agentTime != null ? agentTime : fallback;
    }

    private static void require(Object value, String field, JobEvent event) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new InvalidJobEvent(event.getClass().getSimpleName() + " of classic job " + event.jobId()
                    + " without " + field);
        }
    }
}
