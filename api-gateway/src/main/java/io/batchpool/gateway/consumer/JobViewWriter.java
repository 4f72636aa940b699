package io.batchpool.gateway.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFailed;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobProgressed;
import io.batchpool.contracts.job.JobQueued;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.contracts.job.JobState;
import io.batchpool.gateway.store.JobEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;

/**
 * Turns job-dispatcher's job events into versioned updates of the job view ({@code ... where view_sequence <
 * sequence}): the envelope sequence counts a job's events, so a replayed or older event changes nothing. Jobs the
 * gateway did not admit (submitted directly on the topic) have no row and are not shown by the BES API.
 */
@ApplicationScoped
public class JobViewWriter {
    private final ObjectMapper json;
    private final java.time.Clock clock;

    @Inject
    public JobViewWriter(ObjectMapper json, java.time.Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    /**
     * Applies a batch in one transaction; returns how many events changed a row. Only events of jobs this gateway
     * admitted are applied: the topic also carries jobs submitted directly on Kafka, whose fields the view's
     * columns need not fit.
     */
    @Transactional
    public int apply(List<Envelope<JobEvent>> events) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Envelope<JobEvent> event : events) {
            ids.add(event.data().jobId());
        }
        java.util.Set<String> known = new java.util.HashSet<>(JobEntity.getEntityManager()
                .createQuery("select j.id from JobEntity j where j.id in :ids", String.class)
                .setParameter("ids", ids).getResultList());
        int changed = 0;
        for (Envelope<JobEvent> event : events) {
            if (known.contains(event.data().jobId())) {
                changed += apply(event);
            }
        }
        return changed;
    }

    private int apply(Envelope<JobEvent> envelope) {
        JobEvent e = envelope.data();
        long seq = envelope.sequence();
        Instant now = clock.instant(); // updated_at only: the job's own times come from its events
        String guard = " where id = :id and viewSequence < :seq";
        if (e instanceof JobCreated c) {
            return update("viewSequence = :seq, updatedAt = :now" + guard, c.jobId(), seq, now);
        }
        if (e instanceof JobQueued q) {
            return JobEntity.update("state = ?1, queueSequence = ?2, viewSequence = ?3, updatedAt = ?4 "
                    + "where id = ?5 and viewSequence < ?3", JobState.QUEUED, q.queueSequence(), seq, now, q.jobId());
        }
        if (e instanceof JobAssigned a) {
            return JobEntity.update("state = ?1, attempt = ?2, vmId = ?3, viewSequence = ?4, updatedAt = ?5 "
                    + "where id = ?6 and viewSequence < ?4", JobState.ASSIGNED, a.attempt(), a.vmId(), seq, now, a.jobId());
        }
        if (e instanceof JobStarted s) {
            // StartTime is the first attempt's: a retried job keeps it
            return JobEntity.update("state = ?1, attempt = ?2, vmId = ?3, startedAt = coalesce(startedAt, ?4), "
                            + "viewSequence = ?5, updatedAt = ?6 where id = ?7 and viewSequence < ?5",
                    JobState.RUNNING, s.attempt(), s.vmId(), s.startedAt(), seq, now, s.jobId());
        }
        if (e instanceof JobProgressed p) {
            return JobEntity.update("rowsScored = ?1, viewSequence = ?2, updatedAt = ?3 where id = ?4 and viewSequence < ?2",
                    p.rowsScored(), seq, now, p.jobId());
        }
        if (e instanceof JobRequeued r) {
            return JobEntity.update("state = ?1, queueSequence = ?2, details = ?3, vmId = null, rowsScored = 0, "
                            + "viewSequence = ?4, updatedAt = ?5 where id = ?6 and viewSequence < ?4",
                    JobState.QUEUED, r.queueSequence(), "attempt " + (r.nextAttempt() - 1) + " did not finish ("
                            + r.reason() + "); attempt " + r.nextAttempt() + " is queued", seq, now, r.jobId());
        }
        if (e instanceof JobFinished f) {
            return JobEntity.update("state = ?1, attempt = ?2, results = ?3, rowsScored = ?4, details = null, "
                            + "endedAt = ?5, viewSequence = ?6, updatedAt = ?7 where id = ?8 and viewSequence < ?6",
                    JobState.FINISHED, f.attempt(), write(f.results()), f.rowsScored(), f.endedAt(), seq, now, f.jobId());
        }
        if (e instanceof JobFailed f) {
            return JobEntity.update("state = ?1, attempt = ?2, details = ?3, endedAt = ?4, viewSequence = ?5, "
                            + "updatedAt = ?6 where id = ?7 and viewSequence < ?5",
                    JobState.FAILED, f.attempt(), f.details(), f.endedAt(), seq, now, f.jobId());
        }
        if (e instanceof JobCancelled c) {
            return JobEntity.update("state = ?1, details = ?2, endedAt = ?3, viewSequence = ?4, updatedAt = ?5 "
                    + "where id = ?6 and viewSequence < ?4", JobState.CANCELLED, c.details(), c.endedAt(), seq, now, c.jobId());
        }
        return 0;
    }

    private static int update(String query, String jobId, long seq, Instant now) {
        return JobEntity.update(query, io.quarkus.panache.common.Parameters.with("id", jobId).and("seq", seq)
                .and("now", now));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
