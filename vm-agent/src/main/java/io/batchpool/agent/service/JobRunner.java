package io.batchpool.agent.service;

import io.batchpool.agent.config.AgentConfig;
import io.batchpool.agent.config.BlobConfig;
import io.batchpool.agent.config.SecretsConfig;
import io.batchpool.agent.domain.AttemptKey;
import io.batchpool.agent.domain.AttemptState;
import io.batchpool.agent.domain.AttemptTable;
import io.batchpool.agent.domain.LocalVm;
import io.batchpool.agent.publisher.JobReportPublisher;
import io.batchpool.blob.BlobNotFoundException;
import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStore;
import io.batchpool.blob.BlobStoreException;
import io.batchpool.blob.EndpointPolicy;
import io.batchpool.blob.InvalidBlobReferenceException;
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
import io.batchpool.scoring.CsvScorer;
import io.batchpool.scoring.ScoringException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
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
        volatile Map<String, BlobReference> outputs = Map.of();

        Running(AttemptKey key, String queueId, JobSpec spec) {
            this.key = key;
            this.queueId = queueId;
            this.spec = spec;
        }
    }

    /** A failure that ends the attempt with these details. */
    private static final class AttemptFailure extends Exception {
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
    private final BlobStore store;
    private final AttemptTable table = new AttemptTable(10_000);
    private final Map<AttemptKey, Running> running = new ConcurrentHashMap<>();
    private ExecutorService workers;
    private ExecutorService commits;

    public JobRunner(AgentConfig config, BlobConfig blob, SecretsConfig secrets, LocalProvisioner provisioner,
                     ModelCache models, JobReportPublisher publisher, Clock clock) {
        this.config = config;
        this.provisioner = provisioner;
        this.models = models;
        this.publisher = publisher;
        this.clock = clock;
        this.cipher = SecretCipher.fromBase64Key(secrets.key());
        this.policy = EndpointPolicy.fromConfig(blob.allowedHostSuffixes(), blob.emulatorEndpoints().orElse(""),
                blob.developmentStorageEndpoint());
        this.store = new BlobStore(policy, clock);
    }

    public synchronized void start() {
        workers = Executors.newFixedThreadPool(Math.max(1, config.jobThreads()), named("job-worker"));
        commits = Executors.newSingleThreadExecutor(named("job-commits"));
        LOG.infof("job runner started: %d worker threads, models from %s, blob policy %s", config.jobThreads(),
                models.root(), policy);
    }

    public synchronized void stop() {
        for (Running r : running.values()) {
            r.cancelled.set(true);
        }
        for (ExecutorService e : new ExecutorService[] {workers, commits}) {
            if (e != null) {
                e.shutdownNow();
                try {
                    e.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        models.close();
    }

    /** Attempts held (running, or waiting for their commit). */
    public int attempts() {
        synchronized (table) {
            return table.size();
        }
    }

    /** One assignment message for a VM; called by the assignments consumer thread. */
    public void handle(Assignment assignment) {
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
            case ADMITTED -> workers.execute(() -> run(r));
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
        synchronized (table) {
            outcome = table.decideRevoke(key);
            if (outcome == AttemptTable.RevokeOutcome.DISCARD) {
                table.finish(key);
            }
        }
        Running r = running.get(key);
        switch (outcome) {
            case CANCEL_RUNNING -> {
                LOG.infof("%s revoked (%s): cancelling", key, reason);
                r.cancelled.set(true);
            }
            case DISCARD -> {
                LOG.infof("%s revoked (%s) after its outputs were written: discarding them", key, reason);
                running.remove(key);
                commits.execute(() -> discard(r));
            }
            default -> LOG.debugf("%s revoked (%s), not held here", key, reason);
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
            publisher.publishAndWait(envelope(r, new AttemptStarted(key.jobId(), r.queueId, key.vmId(), key.attempt())));
            long rows = score(r);
            if (r.cancelled.get()) { // revoked after the last batch
                LOG.infof("%s revoked as it finished: outputs discarded", key);
                finish(r, true);
                return;
            }
            synchronized (table) {
                table.advance(key, AttemptState.SUCCEEDED);
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
            LOG.errorf("%s failed unexpectedly: %s", key, redact(String.valueOf(t)));
            finish(r, true);
            safely(r, () -> publisher.publishAndWait(envelope(r, new AttemptFailed(key.jobId(), r.queueId,
                    key.vmId(), key.attempt(), "internal error on the VM: " + redact(t.getClass().getSimpleName()
                    + ": " + t.getMessage()), true))));
        }
    }

    private long score(Running r) throws AttemptFailure {
        JobSpec spec = r.spec;
        if (spec.inputs() == null || spec.inputs().isEmpty()) {
            throw new AttemptFailure("the job has no input", false);
        }
        if (spec.outputs() == null || spec.outputs().isEmpty()) {
            throw new AttemptFailure("the job has no output", false);
        }
        Map.Entry<String, BlobLocation> input = spec.inputs().entrySet().iterator().next();
        BlobReference in = reference("input", input.getKey(), input.getValue());
        Map<String, BlobReference> outs = new LinkedHashMap<>();
        for (Map.Entry<String, BlobLocation> o : spec.outputs().entrySet()) {
            outs.put(o.getKey(), reference("output", o.getKey(), o.getValue()));
        }
        r.outputs = Map.copyOf(outs);

        try (ModelCache.Lease model = models.acquire(spec.serviceId(), spec.serviceVersion())) {
            Instant startedAt = clock.instant();
            AtomicLong lastProgress = new AtomicLong(clock.millis());
            long interval = Math.max(1, config.progressInterval().toMillis());
            CsvScorer.Builder builder = CsvScorer.builder(model.model())
                    .cancelled(r.cancelled::get)
                    .clock(clock)
                    .progress(rows -> {
                        long now = clock.millis();
                        if (now - lastProgress.get() >= interval) {
                            lastProgress.set(now);
                            safely(r, () -> publisher.publish(envelope(r, new AttemptProgressed(r.key.jobId(),
                                    r.queueId, r.key.vmId(), r.key.attempt(), rows))));
                        }
                    });
            if (spec.maxRunTime() != null && !spec.maxRunTime().isZero() && !spec.maxRunTime().isNegative()) {
                builder.deadline(startedAt.plus(spec.maxRunTime()));
            }
            CsvScorer scorer = builder.build();
            List<OutputStream> streams = new ArrayList<>();
            long rows;
            try (InputStream csv = open(in, input.getKey())) {
                for (Map.Entry<String, BlobReference> o : outs.entrySet()) {
                    streams.add(openWrite(o.getKey(), o.getValue(), r.key.attemptId()));
                }
                try (OutputStream out = streams.size() == 1 ? streams.get(0) : new TeeOutputStream(streams)) {
                    rows = scorer.score(csv, out);
                } // close uploads the last block and commits the temporary blob's block list
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
            throw new AttemptFailure(e.getMessage(), false);
        } catch (ScoringException e) {
            throw new AttemptFailure(e.getMessage(), false);
        } catch (BlobStoreException e) {
            throw storageFailure("", e);
        } catch (IOException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BlobStoreException bse) {
                throw storageFailure("", bse);
            }
            throw new AttemptFailure("I/O error: " + redact(String.valueOf(e.getMessage())), true);
        }
    }

    private InputStream open(BlobReference in, String name) throws AttemptFailure {
        try {
            return store.openRead(in);
        } catch (BlobStoreException e) {
            throw storageFailure("input '" + name + "': ", e);
        }
    }

    private OutputStream openWrite(String name, BlobReference out, String attemptId) throws AttemptFailure {
        try {
            return store.openWrite(out, attemptId);
        } catch (BlobStoreException e) {
            throw storageFailure("output '" + name + "': ", e);
        }
    }

    /** 4xx (missing blob or container, refused credentials) are the user's; 5xx and I/O are retryable. */
    private static AttemptFailure storageFailure(String prefix, BlobStoreException e) {
        boolean userError = e instanceof BlobNotFoundException || (e.status() >= 400 && e.status() < 500);
        return new AttemptFailure(prefix + redact(e.getMessage()), !userError);
    }

    private BlobReference reference(String what, String name, BlobLocation location) throws AttemptFailure {
        String secret;
        try {
            secret = cipher.decrypt(location.sealedCredential());
        } catch (RuntimeException e) {
            // a key mismatch between gateway and agent: another VM may have the right key
            throw new AttemptFailure(what + " '" + name + "': the storage credential could not be decrypted on "
                    + "this VM", true);
        }
        BlobReference.Fields fields = location.kind() == BlobLocation.Kind.SAS
                ? BlobReference.Fields.ofSas(location.baseLocation(), location.relativeLocation(), secret)
                : BlobReference.Fields.ofConnectionString(secret, location.relativeLocation());
        try {
            return BlobReference.parse(fields, policy);
        } catch (InvalidBlobReferenceException e) {
            throw new AttemptFailure(what + " '" + name + "': " + redact(e.getMessage()), false);
        }
    }

    // --- on the commit thread ---------------------------------------------------------------------------------

    private void commitOutputs(Running r) {
        AttemptKey key = r.key;
        try {
            Map<String, ResultLocation> results = new LinkedHashMap<>();
            for (Map.Entry<String, BlobReference> o : r.outputs.entrySet()) {
                store.commit(o.getValue(), key.attemptId());
                io.batchpool.blob.ResultLocation loc = store.resultLocation(o.getValue());
                results.put(o.getKey(), new ResultLocation(loc.baseLocation(), loc.relativeLocation(),
                        loc.sasBlobToken()));
            }
            finish(r, false);
            publisher.publishAndWait(envelope(r, new ResultsCommitted(key.jobId(), r.queueId, key.vmId(),
                    key.attempt(), results)));
            LOG.infof("%s committed %d outputs", key, results.size());
        } catch (Throwable t) {
            LOG.errorf("%s could not commit: %s", key, redact(String.valueOf(t.getMessage())));
            finish(r, true);
            safely(r, () -> publisher.publishAndWait(envelope(r, new AttemptFailed(key.jobId(), r.queueId,
                    key.vmId(), key.attempt(), "the results could not be committed: "
                    + redact(String.valueOf(t.getMessage())), true))));
        }
    }

    private void discard(Running r) {
        for (Map.Entry<String, BlobReference> o : r.outputs.entrySet()) {
            try {
                store.discard(o.getValue(), r.key.attemptId());
            } catch (RuntimeException e) {
                LOG.warnf("%s: temporary output '%s' not discarded: %s", r.key, o.getKey(), redact(e.getMessage()));
            }
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** The attempt ends here: its slot is free; with {@code discard} its temporary outputs are deleted. */
    private void finish(Running r, boolean discard) {
        synchronized (table) {
            table.finish(r.key);
        }
        running.remove(r.key);
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
            LOG.errorf("%s: report not sent: %s", r.key, e.getMessage());
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
