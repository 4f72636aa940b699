package io.batchpool.gateway.store;

import io.batchpool.contracts.job.JobState;
import io.batchpool.gateway.domain.JobAdmission.IdempotencyKey;
import io.batchpool.gateway.domain.JobAdmission.OwnedJob;
import io.batchpool.gateway.domain.JobAdmission.PoolOwner;
import io.batchpool.gateway.domain.JobRecord;
import io.batchpool.gateway.domain.PoolStatus;
import io.batchpool.gateway.publisher.OutboxRow;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The statements of the admission pipeline, plain JDBC on the caller's connection and transaction: each reads or
 * writes a whole group of requests in one statement (arrays unnested by the server), so a group costs the same
 * handful of round trips whatever its size.
 */
public final class AdmissionStore {
    private AdmissionStore() {
    }

    /** A job row to insert (state CREATED, SubmitJob recorded: command sequence 1). */
    public record NewJob(String id, String accountId, String serviceId, int serviceVersion, String poolId,
                         String queueId, String idempotencyKey, Instant createdAt) {
    }

    /** The admission columns of a job after a recorded start or cancel. */
    public record JobUpdate(JobRecord record, Instant updatedAt) {
    }

    /** The jobs already created under these idempotency keys. */
    public static Map<IdempotencyKey, String> existing(Connection c, Collection<IdempotencyKey> keys) throws SQLException {
        Map<IdempotencyKey, String> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        try (PreparedStatement s = c.prepareStatement("select j.service_id, j.idempotency_key, j.id from job j "
                + "join unnest(?::varchar[], ?::varchar[]) as k(service_id, idempotency_key) "
                + "on j.service_id = k.service_id and j.idempotency_key = k.idempotency_key")) {
            s.setArray(1, c.createArrayOf("varchar", keys.stream().map(IdempotencyKey::serviceId).toArray()));
            s.setArray(2, c.createArrayOf("varchar", keys.stream().map(IdempotencyKey::key).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.put(new IdempotencyKey(rs.getString(1), rs.getString(2)), rs.getString(3));
                }
            }
        }
        return found;
    }

    public static Map<String, PoolOwner> pools(Connection c, Collection<String> poolIds) throws SQLException {
        Map<String, PoolOwner> found = new HashMap<>();
        if (poolIds.isEmpty()) {
            return found;
        }
        try (PreparedStatement s = c.prepareStatement("select id, account_id, state from pool where id = any(?)")) {
            s.setArray(1, c.createArrayOf("varchar", poolIds.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), new PoolOwner(rs.getString(2), PoolStatus.valueOf(rs.getString(3))));
                }
            }
        }
        return found;
    }

    /** Each account's jobs that do not run yet (created, queued, assigned): the cap counts them. */
    public static Map<String, Long> waiting(Connection c, Collection<String> accountIds) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        if (accountIds.isEmpty()) {
            return counts;
        }
        accountIds.forEach(a -> counts.put(a, 0L));
        try (PreparedStatement s = c.prepareStatement("select account_id, count(*) from job where account_id = any(?) "
                + "and state in ('CREATED', 'QUEUED', 'ASSIGNED') group by account_id")) {
            s.setArray(1, c.createArrayOf("varchar", accountIds.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return counts;
    }

    /**
     * The jobs a group's starts and cancels name, locked until the transaction ends (in id order, as the view
     * writer updates them, so the two never deadlock): the view's update of the same row waits, and is neither lost
     * nor missed.
     */
    public static Map<String, OwnedJob> lockJobs(Connection c, Collection<String> jobIds) throws SQLException {
        Map<String, OwnedJob> found = new HashMap<>();
        if (jobIds.isEmpty()) {
            return found;
        }
        try (PreparedStatement s = c.prepareStatement("select id, service_id, queue_id, state, start_requested, "
                + "cancel_requested, command_sequence from job where id = any(?) order by id for update")) {
            s.setArray(1, c.createArrayOf("varchar", jobIds.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    found.put(id, new OwnedJob(rs.getString(2), new JobRecord(id, rs.getString(3),
                            JobState.valueOf(rs.getString(4)), rs.getBoolean(5), rs.getBoolean(6), rs.getLong(7))));
                }
            }
        }
        return found;
    }

    /** When the oldest unrelayed outbox row was written (rows are relayed in id order: the lowest id). */
    public static Optional<Instant> oldestOutboxRow(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select created_at from outbox order by id limit 1");
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
        }
    }

    /**
     * Inserts the jobs; returns the ids of those inserted. A job whose idempotency key another transaction used
     * first (another gateway) is not inserted: the caller answers that one's job instead.
     */
    public static Set<String> insertJobs(Connection c, List<NewJob> jobs) throws SQLException {
        Set<String> inserted = new HashSet<>();
        if (jobs.isEmpty()) {
            return inserted;
        }
        try (PreparedStatement s = c.prepareStatement("insert into job (id, account_id, service_id, service_version, "
                + "pool_id, queue_id, idempotency_key, command_sequence, state, created_at, updated_at) "
                + "select id, account_id, service_id, service_version, pool_id, queue_id, idempotency_key, 1, 'CREATED', "
                + "created_at, created_at from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::int4[], ?::varchar[], "
                + "?::varchar[], ?::varchar[], ?::varchar[]::timestamptz[]) as j(id, account_id, service_id, "
                + "service_version, pool_id, queue_id, idempotency_key, created_at) "
                + "on conflict (service_id, idempotency_key) where idempotency_key is not null do nothing returning id")) {
            s.setArray(1, varchars(c, jobs.stream().map(NewJob::id).toArray()));
            s.setArray(2, varchars(c, jobs.stream().map(NewJob::accountId).toArray()));
            s.setArray(3, varchars(c, jobs.stream().map(NewJob::serviceId).toArray()));
            s.setArray(4, c.createArrayOf("int4", jobs.stream().map(NewJob::serviceVersion).toArray()));
            s.setArray(5, varchars(c, jobs.stream().map(NewJob::poolId).toArray()));
            s.setArray(6, varchars(c, jobs.stream().map(NewJob::queueId).toArray()));
            s.setArray(7, varchars(c, jobs.stream().map(NewJob::idempotencyKey).toArray()));
            s.setArray(8, varchars(c, jobs.stream().map(j -> j.createdAt().toString()).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        return inserted;
    }

    /** Writes the admission columns of jobs after recorded starts and cancels (the view's columns are the consumer's). */
    public static void updateJobs(Connection c, Collection<JobUpdate> updates) throws SQLException {
        if (updates.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("update job set start_requested = u.start_requested, "
                + "cancel_requested = u.cancel_requested, command_sequence = u.command_sequence, updated_at = u.updated_at "
                + "from unnest(?::varchar[], ?::bool[], ?::bool[], ?::int8[], ?::varchar[]::timestamptz[]) "
                + "as u(id, start_requested, cancel_requested, command_sequence, updated_at) where job.id = u.id")) {
            s.setArray(1, varchars(c, updates.stream().map(u -> u.record().jobId()).toArray()));
            s.setArray(2, c.createArrayOf("bool", updates.stream().map(u -> u.record().startRequested()).toArray()));
            s.setArray(3, c.createArrayOf("bool", updates.stream().map(u -> u.record().cancelRequested()).toArray()));
            s.setArray(4, c.createArrayOf("int8", updates.stream().map(u -> u.record().commandSequence()).toArray()));
            s.setArray(5, varchars(c, updates.stream().map(u -> u.updatedAt().toString()).toArray()));
            s.executeUpdate();
        }
    }

    /** Appends outbox rows; their ids (the relay's order) follow the list's order. */
    public static void insertOutbox(Connection c, List<OutboxRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("insert into outbox (topic, record_key, payload, created_at) "
                + "select topic, record_key, payload, created_at from unnest(?::varchar[], ?::varchar[], ?::bytea[], "
                + "?::varchar[]::timestamptz[]) with ordinality as o(topic, record_key, payload, created_at, n) order by n")) {
            s.setArray(1, varchars(c, rows.stream().map(OutboxRow::topic).toArray()));
            s.setArray(2, varchars(c, rows.stream().map(OutboxRow::recordKey).toArray()));
            s.setArray(3, c.createArrayOf("bytea", rows.stream().map(OutboxRow::payload).toArray(byte[][]::new)));
            s.setArray(4, varchars(c, rows.stream().map(r -> r.createdAt().toString()).toArray()));
            s.executeUpdate();
        }
    }

    private static Array varchars(Connection c, Object[] values) throws SQLException {
        return c.createArrayOf("varchar", values);
    }
}
