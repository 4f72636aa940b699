package io.batchpool.agent.service;

import com.azure.core.exception.HttpResponseException;
import com.azure.storage.blob.models.BlobStorageException;
import io.batchpool.agent.config.AgentConfig;
import io.batchpool.agent.config.BlobConfig;
import io.batchpool.agent.config.LocalFilesConfig;
import io.batchpool.agent.config.SecretsConfig;
import io.batchpool.agent.domain.AttemptKey;
import io.batchpool.agent.domain.AttemptState;
import io.batchpool.agent.domain.AttemptTable;
import io.batchpool.agent.domain.LocalVm;
import io.batchpool.agent.publisher.JobReportPublisher;
import io.batchpool.blob.BlobNotFoundException;
import io.batchpool.blob.BlobStoreException;
import io.batchpool.blob.EndpointPolicy;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.AssignJob;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.kit.BrokerOutage;
import io.batchpool.scoring.CsvScorer;
import io.batchpool.scoring.ScoringException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Runs job attempts on the VMs this process hosts. Each hosted VM runs at most its {@code slots} attempts at once
 * ({@link AttemptTable}); all of them share {@code job-threads} worker threads. Commits and discards run on a
 * thread of their own so that they never wait behind long scoring runs. Nothing an attempt does can end the
 * process: every error becomes an AttemptFailed.
 *
 * <p>When a VM stops (DeprovisionVm, or this process shutting down) its attempts end like revoked ones: running ones
 * stop before their next batch, their temporary outputs are discarded, and nothing more is reported for them (no
 * AttemptSucceeded, AttemptFailed or ResultsCommitted); the dispatcher retries the job when it learns the VM is gone.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    private static final Pattern SIG = Pattern.compile("(?i)(sig=)[^&\\s\"']+");
    private static final Pattern ACCOUNT_KEY = Pattern.compile("(?i)(AccountKey=)[^;\\s\"']+");

    /** What the runner keeps about an attempt besides its state: the spec, its outputs, the report sequence. */
    private static final class Running {
        final AttemptKey key;
        final String queueId;
        final JobSpec spec;
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicLong sequence = new AtomicLong();
        /** Rows scored so far (after each batch). */
        final AtomicLong rows = new AtomicLong();
        /** The VM stopped: the attempt says nothing more (set together with {@link #cancelled}). */
        volatile boolean vmStopped;
        volatile Map<String, StorageTarget> outputs = Map.of();

        Running(AttemptKey key, String queueId, JobSpec spec) {
            this.key = key;
            this.queueId = queueId;
            this.spec = spec;
        }
    }

    /** A failure that ends the attempt with these details. */
    static final class AttemptFailure extends Exception {
        final boolean retryable;

        AttemptFailure(String details, boolean retryable) {
            super(details);
            this.retryable = retryable;
        }
    }

    private final AgentConfig config;
    private final LocalProvisioner provisioner;
    private final ModelCache models;
    private final JobReportPublisher publisher;
    private final Clock clock;
    private final SecretCipher cipher;
    private final EndpointPolicy policy;
    private final StorageTargets targets;
    private final AttemptTable table = new AttemptTable(10_000);
    private final Map<AttemptKey, Running> running = new ConcurrentHashMap<>();
    private ExecutorService workers;
    private ExecutorService commits;
    /** Set by {@link #stop}: what fails from here on fails because the process is ending. */
    private volatile boolean stopping;

    public JobRunner(AgentConfig config, BlobConfig blob, SecretsConfig secrets, LocalFilesConfig local,
                     LocalProvisioner provisioner, ModelCache models, JobReportPublisher publisher, Clock clock) {
        this.config = config;
        this.provisioner = provisioner;
        this.models = models;
        this.publisher = publisher;
        this.clock = clock;
        this.cipher = SecretCipher.fromBase64Key(secrets.key());
        this.policy = EndpointPolicy.fromConfig(blob.allowedHostSuffixes(), blob.emulatorEndpoints().orElse(""),
                blob.developmentStorageEndpoint());
        this.targets = new StorageTargets(policy, cipher, local.root().map(LocalFileStore::new).orElse(null), clock);
    }

    public synchronized void start() {
        workers = Executors.newFixedThreadPool(Math.max(1, config.jobThreads()), named("job-worker"));
        commits = Executors.newSingleThreadExecutor(named("job-commits"));
        provisioner.onVmStopped(this::vmStopped);
        LOG.infof("job runner started: %d worker threads, models from %s, blob policy %s, local files %s",
                config.jobThreads(), models.root(), policy, targets.localFilesRoot());
    }

    /**
     * The process ends and its VMs with it: no new attempt is taken, and every attempt stops as on a stopped VM
     * (running ones stop before their next batch and discard their temporary outputs, succeeded ones are discarded),
     * without reports. Workers and commits get {@code shutdown-grace} in all; what is still inside a storage call
     * then is left to end with the process, never interrupted (an interrupted storage client only adds noise).
     */
    public synchronized void stop() {
        stopping = true;
        List<AttemptKey> held;
        synchronized (table) {
            held = table.heldKeys();
        }
        held.stream().map(AttemptKey::vmId).distinct().forEach(this::vmStopped);
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        boolean ended = true;
        for (ExecutorService e : new ExecutorService[] {workers, commits}) {
            if (e != null) {
                e.shutdown();
                try {
                    ended &= e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    ended = false;
                }
            }
        }
        if (ended) {
            models.close();
        } else { // a model still in use is not closed under its attempt: the process ending frees it
            LOG.infof("shutting down with %d attempts still inside a storage call after the %s grace: they end with "
                    + "the process, unreported, like their VMs", attempts(), config.shutdownGrace());
        }
    }

    /** Attempts held (running, or waiting for their commit). */
    public int attempts() {
        synchronized (table) {
            return table.size();
        }
    }

    /** Attempts held on one VM (running, or waiting for their commit). */
    public int attemptsOn(String vmId) {
        synchronized (table) {
            return table.busySlots(vmId);
        }
    }

    /** One assignment message for a VM; called by the assignments consumer thread. */
    public void handle(Assignment assignment) {
        if (stopping) {
            return; // the process is ending: its VMs take no more work (the dispatcher retries on their loss)
        }
        AttemptKey key = new AttemptKey(assignment.vmId(), assignment.jobId(), assignment.attempt());
        if (assignment instanceof AssignJob assign) {
            assign(key, assign);
        } else if (assignment instanceof RevokeJob revoke) {
            revoke(key, revoke.reason());
        } else if (assignment instanceof CommitResults) {
            commit(key);
        }
    }

    private void assign(AttemptKey key, AssignJob assign) {
        Optional<LocalVm> vm = provisioner.vm(key.vmId());
        if (vm.isEmpty()) {
            LOG.debugf("AssignJob for VM %s, not hosted here: ignored", key.vmId());
            return;
        }
        Running r = new Running(key, vm.get().poolId(), assign.spec());
        AttemptTable.AssignOutcome outcome;
        synchronized (table) {
            outcome = table.decideAssign(key, vm.get().slots());
            if (outcome == AttemptTable.AssignOutcome.ADMITTED) {
                table.admit(key);
                running.put(key, r);
            }
        }
        switch (outcome) {
            case ADMITTED -> {
                if (provisioner.vm(key.vmId()).isEmpty()) {
                    // the VM stopped between the look-up and the admission, unseen by vmStopped: end it the same way
                    vmStopped(key.vmId());
                }
                workers.execute(() -> run(r));
            }
            case DUPLICATE -> LOG.infof("%s: AssignJob seen before, ignored", key);
            case NO_FREE_SLOT -> {
                LOG.warnf("%s: all %d slots of the VM are busy", key, vm.get().slots());
                safely(r, () -> publisher.publishAndWait(envelope(r, new AttemptFailed(key.jobId(), r.queueId,
                        key.vmId(), key.attempt(), "the VM had no free slot for this attempt", true))));
            }
            default -> throw new IllegalStateException("unexpected " + outcome);
        }
    }

    private void revoke(AttemptKey key, String reason) {
        AttemptTable.RevokeOutcome outcome;
        Running r;
        synchronized (table) {
            outcome = revokeHeld(key);
            r = running.get(key);
            if (outcome == AttemptTable.RevokeOutcome.DISCARD) {
                running.remove(key);
            }
        }
        switch (outcome) {
            case CANCEL_RUNNING -> LOG.infof("%s revoked (%s): cancelling", key, reason);
            case DISCARD -> {
                LOG.infof("%s revoked (%s) after its outputs were written: discarding them", key, reason);
                commits.execute(() -> discard(r));
            }
            default -> LOG.debugf("%s revoked (%s), not held here", key, reason);
        }
    }

    /**
     * Decides a revocation and applies it to the table; the caller holds the table's lock. A RUNNING attempt gets
     * its cancellation flag raised under that lock, and the worker checks the flag under it before it records
     * SUCCEEDED: either the worker sees the flag and discards, or the revocation sees SUCCEEDED and discards.
     */
    private AttemptTable.RevokeOutcome revokeHeld(AttemptKey key) {
        AttemptTable.RevokeOutcome outcome = table.decideRevoke(key);
        if (outcome == AttemptTable.RevokeOutcome.CANCEL_RUNNING) {
            running.get(key).cancelled.set(true);
        } else if (outcome == AttemptTable.RevokeOutcome.DISCARD) {
            Running r = running.get(key);
            table.finish(key, new AttemptTable.Ended(false, r.queueId, r.sequence.get()));
        }
        return outcome;
    }

    /**
     * A VM stopped (called on the VM host thread; must not block): its attempts end as if revoked and say nothing
     * more. A COMMITTING attempt's commit goes on (the dispatcher ordered it) and is reported: its ResultsCommitted
     * finishes the job even if the dispatcher has requeued it meanwhile.
     */
    void vmStopped(String vmId) {
        List<Running> discard = new ArrayList<>();
        int stopped = 0;
        synchronized (table) {
            for (AttemptKey key : table.heldOn(vmId)) {
                Running r = running.get(key);
                if (r == null) {
                    continue;
                }
                r.vmStopped = true;
                r.cancelled.set(true);
                stopped++;
                if (revokeHeld(key) == AttemptTable.RevokeOutcome.DISCARD) {
                    running.remove(key);
                    discard.add(r);
                }
            }
        }
        if (stopped > 0) {
            LOG.infof("VM %s stopped: %d attempts end without reports (%d with outputs to discard now)", vmId,
                    stopped, discard.size());
        }
        for (Running r : discard) {
            try {
                commits.execute(() -> discard(r));
            } catch (RejectedExecutionException e) { // shutting down: discard here
                discard(r);
            }
        }
    }

    private void commit(AttemptKey key) {
        AttemptTable.CommitOutcome outcome;
        synchronized (table) {
            outcome = table.decideCommit(key);
            if (outcome == AttemptTable.CommitOutcome.COMMIT) {
                table.advance(key, AttemptState.COMMITTING);
            }
        }
        if (outcome == AttemptTable.CommitOutcome.COMMIT) {
            Running r = running.get(key);
            commits.execute(() -> commitOutputs(r));
        } else if (outcome == AttemptTable.CommitOutcome.REFUSE) {
            // the dispatcher awaits this attempt's outcome (its VM may be declared lost): it will never commit
            AttemptTable.Ended how;
            synchronized (table) {
                how = table.ended(key).orElseThrow();
            }
            LOG.infof("%s: CommitResults refused, its outputs were discarded before it came", key);
            String queueId = how.queueId();
            Running ended = new Running(key, queueId, null);
            ended.sequence.set(how.lastReport());
            safely(ended, () -> publisher.publishAndWait(envelope(ended, new AttemptFailed(key.jobId(), queueId,
                    key.vmId(), key.attempt(), "attempt " + key.attempt() + " was not committed: it had ended (revoked, "
                    + "or its VM stopped) and its outputs were discarded before CommitResults came", true))));
        } else {
            LOG.infof("%s: CommitResults ignored (%s)", key, outcome);
        }
    }

    // --- on a worker thread -------------------------------------------------------------------------------------

    private void run(Running r) {
        AttemptKey key = r.key;
        try {
            if (r.cancelled.get()) {
                finish(r, true);
                return;
            }
            // the run-time limit counts from here: waiting for the model is part of the attempt's time
            Instant startedAt = clock.instant();
            publisher.publishAndWait(envelope(r, new AttemptStarted(key.jobId(), r.queueId, key.vmId(), key.attempt())));
            long rows = score(r, startedAt);
            boolean cancelled;
            synchronized (table) { // see revokeHeld: the flag and the state change are decided together
                cancelled = r.cancelled.get();
                if (!cancelled) {
                    table.advance(key, AttemptState.SUCCEEDED);
                }
            }
            if (cancelled) { // revoked, or its VM stopped, after the last batch
                LOG.infof("%s revoked as it finished: outputs discarded", key);
                finish(r, true);
                return;
            }
            if (r.vmStopped) { // stopped after the state change: the stop discards the outputs
                return;
            }
            publisher.publishAndWait(envelope(r, new AttemptSucceeded(key.jobId(), r.queueId, key.vmId(),
                    key.attempt(), rows)));
            LOG.infof("%s scored %d rows; waiting for CommitResults", key, rows);
        } catch (AttemptFailure f) {
            if (r.cancelled.get()) {
                LOG.infof("%s stopped after its revocation", key);
                finish(r, true);
            } else {
                LOG.infof("%s failed (retryable %s): %s", key, f.retryable, f.getMessage());
                finish(r, true);
                safely(r, () -> publisher.publishAndWait(envelope(r, new AttemptFailed(key.jobId(), r.queueId,
                        key.vmId(), key.attempt(), f.getMessage(), f.retryable))));
            }
        } catch (Throwable t) { // never let a job end the process
            if (r.cancelled.get()) { // revoked or its VM stopped (the process ending): nothing to report
                LOG.infof("%s stopped: %s", key, redact(String.valueOf(t)));
                finish(r, true);
                return;
            }
            if (BrokerOutage.explains(t)) {
                LOG.warnf("%s ends: its reports do not reach the broker: %s", key, redact(String.valueOf(t)));
            } else {
                LOG.errorf("%s failed unexpectedly: %s", key, redact(String.valueOf(t)));
            }
            finish(r, true);
            safely(r, () -> publisher.publishAndWait(envelope(r, new AttemptFailed(key.jobId(), r.queueId,
                    key.vmId(), key.attempt(), "internal error on the VM: " + redact(t.getClass().getSimpleName()
                    + ": " + t.getMessage()), true))));
        }
    }

    private long score(Running r, Instant startedAt) throws AttemptFailure {
        JobSpec spec = r.spec;
        if (spec.inputs() == null || spec.inputs().isEmpty()) {
            throw new AttemptFailure("the job has no input", false);
        }
        if (spec.outputs() == null || spec.outputs().isEmpty()) {
            throw new AttemptFailure("the job has no output", false);
        }
        Map.Entry<String, BlobLocation> input = spec.inputs().entrySet().iterator().next();
        StorageTarget in = targets.of("input '" + input.getKey() + "'", input.getValue(), spec.accountId());
        Map<String, StorageTarget> outs = new LinkedHashMap<>();
        for (Map.Entry<String, BlobLocation> o : spec.outputs().entrySet()) {
            outs.put(o.getKey(), targets.of("output '" + o.getKey() + "'", o.getValue(), spec.accountId()));
        }
        r.outputs = Map.copyOf(outs);

        Duration limit = spec.maxRunTime() != null && !spec.maxRunTime().isZero() && !spec.maxRunTime().isNegative()
                ? spec.maxRunTime() : null;
        try (ModelCache.Lease model = models.acquire(spec.serviceId(), spec.serviceVersion(), r.cancelled::get)) {
            AtomicLong lastProgress = new AtomicLong(clock.millis());
            long interval = Math.max(1, config.progressInterval().toMillis());
            CsvScorer.Builder builder = CsvScorer.builder(model.model())
                    .cancelled(r.cancelled::get)
                    .clock(clock)
                    .progress(rows -> {
                        r.rows.set(rows);
                        long now = clock.millis();
                        if (now - lastProgress.get() >= interval) {
                            lastProgress.set(now);
                            safely(r, () -> publisher.publish(envelope(r, new AttemptProgressed(r.key.jobId(),
                                    r.queueId, r.key.vmId(), r.key.attempt(), rows))));
                        }
                    });
            if (limit != null) {
                builder.deadline(startedAt.plus(limit));
            }
            CsvScorer scorer = builder.build();
            List<OutputStream> streams = new ArrayList<>();
            long rows;
            try (InputStream csv = open(in, input.getKey())) {
                for (Map.Entry<String, StorageTarget> o : outs.entrySet()) {
                    streams.add(openWrite(o.getKey(), o.getValue(), r.key.attemptId()));
                }
                try (OutputStream out = streams.size() == 1 ? streams.get(0) : new TeeOutputStream(streams)) {
                    rows = scorer.score(csv, out);
                } // close uploads the last block (or forces the file to disk); nothing is visible before the commit
                streams.clear();
            } finally {
                for (OutputStream s : streams) { // a failure before the tee took them over
                    try {
                        s.close();
                    } catch (IOException | RuntimeException ignored) {
                        // discarded below
                    }
                }
            }
            return rows;
        } catch (ModelCache.ModelUnavailableException e) {
            // the model consumer lags, or the version reached other VMs only: another attempt may find it
            throw new AttemptFailure(e.getMessage(), true);
        } catch (ScoringException e) {
            if (e.reason() == ScoringException.Reason.DEADLINE_EXCEEDED) {
                throw new AttemptFailure("the job exceeded the run-time limit of " + limit + " (stopped after "
                        + r.rows.get() + " rows)", false);
            }
            throw new AttemptFailure(e.getMessage(), false);
        } catch (BlobStoreException e) {
            throw storageFailure("", e);
        } catch (IOException e) {
            throw ioFailure(e);
        }
    }

    private InputStream open(StorageTarget in, String name) throws AttemptFailure {
        try {
            return in.openRead();
        } catch (BlobStoreException e) {
            throw storageFailure("input '" + name + "': ", e);
        }
    }

    private OutputStream openWrite(String name, StorageTarget out, String attemptId) throws AttemptFailure {
        try {
            return out.openWrite(attemptId);
        } catch (BlobStoreException e) {
            throw storageFailure("output '" + name + "': ", e);
        }
    }

    /**
     * 4xx (missing blob or container, refused credentials, a SAS without the permission) are the user's; 5xx,
     * timeouts, throttling and I/O are retryable.
     */
    private static AttemptFailure storageFailure(String prefix, BlobStoreException e) {
        boolean userError = e instanceof BlobNotFoundException || isUserError(e.status());
        return new AttemptFailure(prefix + redact(e.getMessage()), !userError);
    }

    private static boolean isUserError(int status) {
        return status >= 400 && status < 500 && status != 408 && status != 429;
    }

    /**
     * An I/O error while streaming. Writing the outputs surfaces the storage service's answer as the cause of an
     * IOException (e.g. 403 for a SAS that may not write): classify it by that status, not as a plain I/O error.
     */
    private static AttemptFailure ioFailure(IOException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof BlobStoreException bse) {
                return storageFailure(redact(String.valueOf(e.getMessage())) + ": ", bse);
            }
            if (t instanceof HttpResponseException http && http.getResponse() != null) {
                int status = http.getResponse().getStatusCode();
                String code = t instanceof BlobStorageException storage && storage.getErrorCode() != null
                        ? " " + storage.getErrorCode() : "";
                return new AttemptFailure(redact(String.valueOf(e.getMessage())) + ": storage answered " + status
                        + code, !isUserError(status));
            }
        }
        return new AttemptFailure("I/O error: " + redact(String.valueOf(e.getMessage())), true);
    }

    // --- on the commit thread ---------------------------------------------------------------------------------

    private void commitOutputs(Running r) {
        AttemptKey key = r.key;
        if (r.vmStopped) { // the VM stopped before the commit began: the job is retried elsewhere
            finish(r, true);
            return;
        }
        try {
            Map<String, ResultLocation> results = new LinkedHashMap<>();
            for (Map.Entry<String, StorageTarget> o : r.outputs.entrySet()) {
                results.put(o.getKey(), o.getValue().commit(key.attemptId(), key::sameJob, cipher));
            }
            finish(r, false);
            // reported even when the VM stopped meanwhile (e.g. declared lost while alive): the dispatcher must
            // learn that this attempt's outputs are the job's results, or it would run and commit another attempt
            publisher.publishAndWait(envelope(r, new ResultsCommitted(key.jobId(), r.queueId, key.vmId(),
                    key.attempt(), results)));
            LOG.infof("%s committed %d outputs", key, results.size());
        } catch (Throwable t) {
            if (r.vmStopped) { // the process is ending or the VM was deprovisioned: the job is retried elsewhere
                LOG.infof("%s: commit stopped with its VM: %s", key, redact(String.valueOf(t.getMessage())));
                finish(r, true);
                return;
            }
            LOG.warnf("%s could not commit (the attempt fails, retryable): %s", key,
                    redact(String.valueOf(t.getMessage())));
            finish(r, true);
            safely(r, () -> publisher.publishAndWait(envelope(r, new AttemptFailed(key.jobId(), r.queueId,
                    key.vmId(), key.attempt(), "the results could not be committed: "
                    + redact(String.valueOf(t.getMessage())), true))));
        }
    }

    private void discard(Running r) {
        for (Map.Entry<String, StorageTarget> o : r.outputs.entrySet()) {
            try {
                o.getValue().discard(r.key.attemptId());
            } catch (RuntimeException e) {
                LOG.warnf("%s: temporary output '%s' not discarded: %s", r.key, o.getKey(), redact(e.getMessage()));
            }
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** The attempt ends here: its slot is free; with {@code discard} its temporary outputs are deleted. */
    private void finish(Running r, boolean discard) {
        synchronized (table) {
            table.finish(r.key, new AttemptTable.Ended(!discard, r.queueId, r.sequence.get()));
            running.remove(r.key);
        }
        if (discard) {
            discard(r);
        }
    }

    private Envelope<JobReport> envelope(Running r, JobReport report) {
        return Envelope.of(report, r.sequence.incrementAndGet(), clock.instant());
    }

    private void safely(Running r, Runnable send) {
        try {
            send.run();
        } catch (RuntimeException e) {
            if (stopping) {
                LOG.infof("%s: report not sent, the process is ending: %s", r.key, e.getMessage());
            } else if (BrokerOutage.explains(e)) { // the publisher said once that the broker is unreachable
                LOG.warnf("%s: report not sent, the broker is unreachable: %s", r.key, e.getMessage());
            } else {
                LOG.errorf("%s: report not sent: %s", r.key, e.getMessage());
            }
        }
    }

    /** Credentials never reach logs or Details, whatever a library put into a message. */
    static String redact(String text) {
        if (text == null) {
            return null;
        }
        return ACCOUNT_KEY.matcher(SIG.matcher(text).replaceAll("$1REDACTED")).replaceAll("$1***");
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Writes the same bytes to every output (a job with several outputs gets the same scored CSV in each). */
    static final class TeeOutputStream extends OutputStream {
        private final List<OutputStream> outs;

        TeeOutputStream(List<OutputStream> outs) {
            this.outs = List.copyOf(outs);
        }

        @Override
        public void write(int b) throws IOException {
            for (OutputStream o : outs) {
                o.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (OutputStream o : outs) {
                o.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            for (OutputStream o : outs) {
                o.flush();
            }
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (OutputStream o : outs) {
                try {
                    o.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
