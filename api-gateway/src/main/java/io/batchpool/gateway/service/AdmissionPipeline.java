package io.batchpool.gateway.service;

import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.JobAdmission;
import io.batchpool.gateway.domain.JobAdmission.Change;
import io.batchpool.gateway.domain.JobAdmission.Created;
import io.batchpool.gateway.domain.JobAdmission.Decided;
import io.batchpool.gateway.domain.JobAdmission.Existing;
import io.batchpool.gateway.domain.JobAdmission.IdempotencyKey;
import io.batchpool.gateway.domain.JobAdmission.Outcome;
import io.batchpool.gateway.domain.JobAdmission.Recorded;
import io.batchpool.gateway.domain.JobAdmission.Rejected;
import io.batchpool.gateway.domain.JobAdmission.Request;
import io.batchpool.gateway.domain.JobAdmission.Submit;
import io.batchpool.gateway.domain.Rejection;
import io.batchpool.gateway.publisher.OutboxRelay;
import io.batchpool.gateway.publisher.OutboxRow;
import io.batchpool.gateway.publisher.OutboxWriter;
import io.batchpool.gateway.rest.ApiException;
import io.batchpool.gateway.store.AdmissionStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Records BES job commands (submit, start, cancel) by group commit: requests that arrive while a group is being
 * written queue up and are written together as the next group, in one transaction of a few statements whatever its
 * size ({@link AdmissionStore}: the reads the rules need, the job rows, the outbox rows), decided by
 * {@link JobAdmission}. Each client is answered only after its group committed, so an acknowledged command is
 * durable, and the relay is woken at once to send the group's commands. One writer thread decides every group in
 * turn, so idempotency keys and the cap on waiting jobs are judged against every command admitted before, whatever
 * the concurrency of the requests.
 *
 * <p>A group that fails (the database is away, or a statement fails on one request's values) is rolled back and
 * each of its requests is retried alone, so one bad request fails only itself.
 */
@ApplicationScoped
public class AdmissionPipeline {
    private static final Logger LOG = Logger.getLogger(AdmissionPipeline.class);
    /** Most requests written in one transaction. */
    static final int MAX_GROUP = 500;
    /** How long an account's waiting-job count read from the database is used (counted up locally meanwhile). */
    static final long WAITING_COUNT_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How long the oldest outbox row's time is used before it is read again. */
    static final long OLDEST_ROW_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long a request waits for its group before it gives up (the database hangs). */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final AgroalDataSource dataSource;
    private final OutboxRelay relay;
    private final GatewayConfig config;
    private final Clock clock;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

    // owned by the writer thread
    private final Map<String, Counted> waiting = new HashMap<>();
    private long oldestReadAt;
    private Instant oldestRow;
    private boolean oldestRead;

    private volatile boolean running;
    private Thread writer;

    /** An account's waiting jobs as counted at {@code countedAt} (nanoTime) plus those admitted here since. */
    private record Counted(long count, long countedAt) {
    }

    /** A request waiting for its group: the submit's row and SubmitJob are made by the request's own thread. */
    private record Pending(Request request, int serviceVersion, Instant at, OutboxRow submitRow,
                           CompletableFuture<String> answer) {
    }

    @Inject
    public AdmissionPipeline(AgroalDataSource dataSource, OutboxRelay relay, GatewayConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.relay = relay;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        writer = new Thread(this::run, "admission-writer");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Thread t = writer;
        if (t != null) {
            try {
                t.join(10_000); // it answers what is queued first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Records a submit once its group commits; returns its job id, or the one an earlier submit with the same
     * idempotency key created. {@code submitRow} is the SubmitJob's outbox row (envelope sequence 1).
     */
    public String submit(Submit submit, int serviceVersion, Instant at, OutboxRow submitRow) {
        return await(new Pending(submit, serviceVersion, at, submitRow, new CompletableFuture<>()));
    }

    /** Records a start or cancel (if it changes anything) once its group commits. */
    public void change(Change change) {
        await(new Pending(change, 0, null, null, new CompletableFuture<>()));
    }

    private String await(Pending pending) {
        if (!running) {
            throw new ApiException(ErrorCode.ServiceUnavailable, "the gateway is stopping; retry later");
        }
        queue.add(pending);
        try {
            return pending.answer().get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("admission failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("admission did not answer within " + ANSWER_TIMEOUT
                    + " (is the database reachable?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                // a bug: answer the group instead of leaving its clients waiting
                LOG.errorf(e, "admission writer failed on a group of %d", group.size());
                group.forEach(p -> p.answer().completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
    }

    /** Writes a group; if that fails, each request alone, so that one bad request fails alone. */
    private void write(List<Pending> group) {
        try {
            commit(group);
        } catch (SQLException | RuntimeException e) {
            waiting.clear(); // counted up for a transaction that did not commit: count again
            if (group.size() > 1) {
                LOG.debugf("a group of %d failed (%s): writing each alone", group.size(), e);
                for (Pending p : group) {
                    write(List.of(p));
                }
            } else {
                group.get(0).answer().completeExceptionally(e instanceof RuntimeException r ? r
                        : new IllegalStateException("cannot record the job command: " + e.getMessage(), e));
            }
        }
    }

    private void commit(List<Pending> group) throws SQLException {
        List<Request> requests = group.stream().map(Pending::request).toList();
        Set<IdempotencyKey> keys = new LinkedHashSet<>();
        Set<String> pools = new LinkedHashSet<>();
        Set<String> accounts = new LinkedHashSet<>();
        Set<String> jobs = new LinkedHashSet<>();
        for (Request r : requests) {
            if (r instanceof Submit s) {
                if (s.idempotencyKey() != null) {
                    keys.add(new IdempotencyKey(s.serviceId(), s.idempotencyKey()));
                }
                if (s.poolId() != null) {
                    pools.add(s.poolId());
                }
                accounts.add(s.accountId());
            } else if (r instanceof Change c) {
                jobs.add(c.jobId());
            }
        }
        String[] answers = new String[group.size()];
        Decided decided;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Set<String> stale = new LinkedHashSet<>();
                long now = System.nanoTime();
                for (String account : accounts) {
                    Counted counted = waiting.get(account);
                    if (counted == null || now - counted.countedAt() > WAITING_COUNT_TTL_NANOS) {
                        stale.add(account);
                    }
                }
                Map<String, Long> fresh = AdmissionStore.waiting(c, stale);
                fresh.forEach((account, count) -> waiting.put(account, new Counted(count, now)));
                Map<String, Long> counts = new HashMap<>();
                accounts.forEach(a -> counts.put(a, waiting.get(a).count()));
                JobAdmission.State state = new JobAdmission.State(AdmissionStore.existing(c, keys),
                        AdmissionStore.pools(c, pools), counts, AdmissionStore.lockJobs(c, jobs),
                        config.jobs().maxQueuedPerAccount(), brokerAway(c));
                decided = JobAdmission.decide(requests, state);

                List<AdmissionStore.NewJob> newJobs = new ArrayList<>();
                for (int i = 0; i < group.size(); i++) {
                    if (decided.outcomes().get(i) instanceof Created created) {
                        Submit s = created.submit();
                        newJobs.add(new AdmissionStore.NewJob(s.jobId(), s.accountId(), s.serviceId(),
                                group.get(i).serviceVersion(), s.poolId(), s.queueId(), s.idempotencyKey(),
                                group.get(i).at()));
                    }
                }
                Set<String> inserted = AdmissionStore.insertJobs(c, newJobs);
                Set<IdempotencyKey> lostRaces = new LinkedHashSet<>();
                List<OutboxRow> rows = new ArrayList<>();
                List<AdmissionStore.JobUpdate> updates = new ArrayList<>();
                Map<String, AdmissionStore.JobUpdate> lastUpdate = new HashMap<>();
                Instant changedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
                for (int i = 0; i < group.size(); i++) {
                    Outcome outcome = decided.outcomes().get(i);
                    if (outcome instanceof Created created) {
                        if (inserted.contains(created.submit().jobId())) {
                            rows.add(group.get(i).submitRow());
                            answers[i] = created.submit().jobId();
                        } else { // another gateway created a job under this key meanwhile: answer that one
                            lostRaces.add(created.submit().key());
                        }
                    } else if (outcome instanceof Existing existing) {
                        answers[i] = existing.jobId();
                    } else if (outcome instanceof Recorded recorded) {
                        rows.add(OutboxWriter.row(recorded.command(), recorded.next().commandSequence(), changedAt));
                        lastUpdate.put(recorded.next().jobId(), new AdmissionStore.JobUpdate(recorded.next(), changedAt));
                        answers[i] = recorded.next().jobId();
                    } else if (!(outcome instanceof Rejected)) {
                        answers[i] = ((Change) requests.get(i)).jobId(); // unchanged
                    }
                }
                updates.addAll(lastUpdate.values());
                if (!lostRaces.isEmpty()) {
                    Map<IdempotencyKey, String> winners = AdmissionStore.existing(c, lostRaces);
                    for (int i = 0; i < group.size(); i++) {
                        if (decided.outcomes().get(i) instanceof Created created && answers[i] == null) {
                            answers[i] = winners.get(created.submit().key());
                        }
                    }
                }
                AdmissionStore.updateJobs(c, updates);
                AdmissionStore.insertOutbox(c, rows);
                c.commit();
                if (!rows.isEmpty()) {
                    relay.wake();
                }
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        }
        decided.waiting().forEach((account, count) -> waiting.compute(account,
                (a, counted) -> new Counted(count, counted == null ? System.nanoTime() : counted.countedAt())));
        if (waiting.size() > 10_000) {
            waiting.clear();
        }
        for (int i = 0; i < group.size(); i++) {
            Outcome outcome = decided.outcomes().get(i);
            if (outcome instanceof Rejected rejected) {
                group.get(i).answer().completeExceptionally(new ApiException(rejected.rejection()));
            } else {
                group.get(i).answer().complete(answers[i]);
            }
        }
    }

    /**
     * Commands wait in the outbox while the broker is away; past the relay's backlog limit the gateway stops
     * admitting work it cannot hand on (503 with Retry-After) instead of letting clients wait on a queue that does
     * not move. The oldest row is read at most every {@link #OLDEST_ROW_TTL_NANOS}.
     */
    private Rejection brokerAway(Connection c) throws SQLException {
        long now = System.nanoTime();
        if (!oldestRead || now - oldestReadAt > OLDEST_ROW_TTL_NANOS) {
            oldestRow = AdmissionStore.oldestOutboxRow(c).orElse(null);
            oldestReadAt = now;
            oldestRead = true;
        }
        Duration age = oldestRow == null ? Duration.ZERO : Duration.between(oldestRow, clock.instant());
        if (age.compareTo(config.relay().maxBacklogAge()) > 0) {
            return new Rejection(ErrorCode.ServiceUnavailable, "the message broker has not taken commands for "
                    + age.toSeconds() + " s; retry later");
        }
        return null;
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debugf("rollback failed: %s", e.getMessage());
        }
    }
}
