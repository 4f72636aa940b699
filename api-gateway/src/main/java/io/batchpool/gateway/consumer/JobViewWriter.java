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
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns job-dispatcher's job events into versioned updates of the job view ({@code ... where view_sequence <
 * sequence}): the envelope sequence counts a job's events, so a replayed or older event changes nothing. A poll's
 * events are written in one transaction as one JDBC batch (one round trip), in job id order (the order in which the
 * admission pipeline locks the rows it changes, so the two never deadlock) and, per job, in the order read. Jobs the
 * gateway did not admit (submitted directly on the topic) have no row and are not shown by the BES API.
 */
@ApplicationScoped
public class JobViewWriter {
    private static final String GUARD = " where id = ? and view_sequence < ?";

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final Clock clock;

    @Inject
    public JobViewWriter(AgroalDataSource dataSource, ObjectMapper json, Clock clock) {
        this.dataSource = dataSource;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Applies a poll's events in one transaction; returns how many changed a row. Only events of jobs this gateway
     * admitted are applied: the topic also carries jobs submitted directly on Kafka, whose fields the view's
     * columns need not fit.
     */
    public int apply(List<Envelope<JobEvent>> events) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int changed = apply(c, events);
                c.commit();
                return changed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the job view: " + e.getMessage(), e);
        }
    }

    private int apply(Connection c, List<Envelope<JobEvent>> events) throws SQLException {
        Set<String> known = known(c, events);
        List<Envelope<JobEvent>> ordered = new ArrayList<>();
        for (Envelope<JobEvent> event : events) {
            if (known.contains(event.data().jobId())) {
                ordered.add(event);
            }
        }
        ordered.sort(Comparator.comparing(e -> e.data().jobId())); // stable: a job's events keep their order
        Timestamp now = Timestamp.from(clock.instant()); // updated_at only: the job's own times come from its events
        Map<String, PreparedStatement> statements = new LinkedHashMap<>();
        List<PreparedStatement> batchOrder = new ArrayList<>();
        try {
            // one statement per event type, each batched; a job's events go in order only if they reuse one statement,
            // so a job with several event types in this poll is flushed between types (rare: one poll, one job)
            String lastJob = null;
            String lastSql = null;
            for (Envelope<JobEvent> envelope : ordered) {
                Update u = update(envelope, now);
                if (u == null) {
                    continue;
                }
                String jobId = envelope.data().jobId();
                if (jobId.equals(lastJob) && !u.sql().equals(lastSql)) {
                    executeAll(batchOrder); // keep this job's earlier events ahead of this one
                }
                PreparedStatement s = statements.get(u.sql());
                if (s == null) {
                    s = c.prepareStatement(u.sql());
                    statements.put(u.sql(), s);
                }
                if (!batchOrder.contains(s)) {
                    batchOrder.add(s);
                }
                for (int i = 0; i < u.values().length; i++) {
                    s.setObject(i + 1, u.values()[i]);
                }
                s.setString(u.values().length + 1, jobId);
                s.setLong(u.values().length + 2, envelope.sequence());
                s.addBatch();
                lastJob = jobId;
                lastSql = u.sql();
            }
            return executeAll(batchOrder);
        } finally {
            for (PreparedStatement s : statements.values()) {
                s.close();
            }
        }
    }

    private static int executeAll(List<PreparedStatement> batchOrder) throws SQLException {
        int changed = 0;
        for (PreparedStatement s : batchOrder) {
            for (int n : s.executeBatch()) {
                changed += Math.max(n, 0);
            }
        }
        batchOrder.clear();
        return changed;
    }

    private static Set<String> known(Connection c, List<Envelope<JobEvent>> events) throws SQLException {
        Set<String> ids = new HashSet<>();
        for (Envelope<JobEvent> event : events) {
            ids.add(event.data().jobId());
        }
        Set<String> known = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("select id from job where id = any(?)")) {
            s.setArray(1, c.createArrayOf("varchar", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    known.add(rs.getString(1));
                }
            }
        }
        return known;
    }

    /** An update's SQL (ending with the versioned guard on id and sequence) and its values before the guard. */
    private record Update(String sql, Object[] values) {
    }

    private Update update(Envelope<JobEvent> envelope, Timestamp now) {
        JobEvent e = envelope.data();
        long seq = envelope.sequence();
        if (e instanceof JobCreated) {
            return new Update("update job set view_sequence = ?, updated_at = ?" + GUARD, new Object[] {seq, now});
        }
        if (e instanceof JobQueued q) {
            return new Update("update job set state = 'QUEUED', queue_sequence = ?, view_sequence = ?, updated_at = ?"
                    + GUARD, new Object[] {q.queueSequence(), seq, now});
        }
        if (e instanceof JobAssigned a) {
            return new Update("update job set state = 'ASSIGNED', attempt = ?, vm_id = ?, view_sequence = ?, "
                    + "updated_at = ?" + GUARD, new Object[] {a.attempt(), a.vmId(), seq, now});
        }
        if (e instanceof JobStarted s) {
            // StartTime is the first attempt's: a retried job keeps it
            return new Update("update job set state = 'RUNNING', attempt = ?, vm_id = ?, "
                    + "started_at = coalesce(started_at, ?), view_sequence = ?, updated_at = ?" + GUARD,
                    new Object[] {s.attempt(), s.vmId(), timestamp(s.startedAt()), seq, now});
        }
        if (e instanceof JobProgressed p) {
            return new Update("update job set rows_scored = ?, view_sequence = ?, updated_at = ?" + GUARD,
                    new Object[] {p.rowsScored(), seq, now});
        }
        if (e instanceof JobRequeued r) {
            return new Update("update job set state = 'QUEUED', queue_sequence = ?, details = ?, vm_id = null, "
                    + "rows_scored = 0, view_sequence = ?, updated_at = ?" + GUARD, new Object[] {r.queueSequence(),
                    "attempt " + (r.nextAttempt() - 1) + " did not finish (" + r.reason() + "); attempt "
                            + r.nextAttempt() + " is queued", seq, now});
        }
        if (e instanceof JobFinished f) {
            return new Update("update job set state = 'FINISHED', attempt = ?, results = ?, rows_scored = ?, "
                    + "details = null, ended_at = ?, view_sequence = ?, updated_at = ?" + GUARD, new Object[] {
                    f.attempt(), write(f.results()), f.rowsScored(), timestamp(f.endedAt()), seq, now});
        }
        if (e instanceof JobFailed f) {
            return new Update("update job set state = 'FAILED', attempt = ?, details = ?, ended_at = ?, "
                    + "view_sequence = ?, updated_at = ?" + GUARD, new Object[] {f.attempt(), f.details(),
                    timestamp(f.endedAt()), seq, now});
        }
        if (e instanceof JobCancelled c) {
            return new Update("update job set state = 'CANCELLED', details = ?, ended_at = ?, view_sequence = ?, "
                    + "updated_at = ?" + GUARD, new Object[] {c.details(), timestamp(c.endedAt()), seq, now});
        }
        return null;
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
