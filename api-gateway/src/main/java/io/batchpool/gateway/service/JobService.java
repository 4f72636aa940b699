package io.batchpool.gateway.service;

import io.batchpool.blob.BlobReference;
import io.batchpool.blob.EndpointPolicy;
import io.batchpool.blob.InvalidBlobReferenceException;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.BesJobRequest;
import io.batchpool.gateway.domain.Decision;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.JobRecord;
import io.batchpool.gateway.domain.PoolStatus;
import io.batchpool.gateway.publisher.OutboxWriter;
import io.batchpool.gateway.rest.ApiException;
import io.batchpool.gateway.service.WebServiceService.ServiceView;
import io.batchpool.gateway.store.JobEntity;
import io.batchpool.gateway.store.OutboxEntity;
import io.batchpool.gateway.store.PoolEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * BES job admission (DESIGN §3): a submit is checked against the registry (service, key, pool ownership,
 * parameters, blob references under the allow-list), its storage credentials are sealed, and the job row and its
 * SubmitJob are recorded in one transaction with the outbox; start and cancel likewise. Job state is the view
 * built from job-dispatcher's events.
 */
@ApplicationScoped
public class JobService {
    private final OutboxWriter outbox;
    private final GatewayConfig config;
    private final EndpointPolicy policy;
    private final SecretCipher cipher;
    private final LocalFiles localFiles;
    private final Clock clock;
    /** Account id to {waiting jobs, nanoTime counted}; see {@link #waiting}. */
    private final Map<String, long[]> waitingCounts = new java.util.concurrent.ConcurrentHashMap<>();
    static final long WAITING_COUNT_TTL = 250;
    /** {nanoTime read, oldest unrelayed outbox row's time or null}; see {@link #requireBrokerReachable}. */
    private volatile Object[] oldestRow;

    @Inject
    public JobService(OutboxWriter outbox, GatewayConfig config, EndpointPolicy policy, SecretCipher cipher,
                      LocalFiles localFiles, Clock clock) {
        this.outbox = outbox;
        this.config = config;
        this.policy = policy;
        this.cipher = cipher;
        this.localFiles = localFiles;
        this.clock = clock;
    }

    /** A checked request with its references parsed and sealed: ready to record. */
    public record Admissible(ServiceView service, BesJobRequest request, Map<String, BlobLocation> inputs,
                             Map<String, BlobLocation> outputs) {
    }

    /**
     * Parses every blob reference under the allow-list and seals its credential (outside any transaction: this is
     * the CPU-heavy part of a submit). Outputs must be writable by an attempt (a container SAS with read and write).
     * A local file ({@code UseLocalFiles=true}) is checked to stay under the submitting account's directory instead.
     */
    public Admissible prepare(ServiceView service, BesJobRequest request) {
        Map<String, BlobLocation> inputs = new LinkedHashMap<>();
        String accountId = service.service().accountId;
        request.inputs().forEach((name, ref) -> inputs.put(name, seal("Inputs." + name, ref, false, accountId)));
        Map<String, BlobLocation> outputs = new LinkedHashMap<>();
        request.outputs().forEach((name, ref) -> outputs.put(name, seal("Outputs." + name, ref, true, accountId)));
        return new Admissible(service, request, inputs, outputs);
    }

    private BlobLocation seal(String field, BesJobRequest.Reference ref, boolean output, String accountId) {
        BlobReference.Fields fields = new BlobReference.Fields(ref.connectionString(), ref.baseLocation(),
                ref.relativeLocation(), ref.sasBlobToken());
        if (LocalFileStore.isLocalFileReference(fields.connectionString())) {
            // UseLocalFiles=true: no credential; the account, whose directory holds the file, is sealed instead
            return localFiles.location(field, fields, output, accountId);
        }
        BlobReference parsed;
        try {
            parsed = BlobReference.parse(fields, policy);
            if (output) {
                parsed.requireUsableAsOutput();
            }
        } catch (InvalidBlobReferenceException e) {
            ErrorCode code = InvalidBlobReferenceException.ENDPOINT_NOT_ALLOWED.equals(e.code())
                    ? ErrorCode.BlobEndpointNotAllowed : ErrorCode.InvalidBlobReference;
            throw new ApiException(code, field + ": " + e.getMessage());
        }
        BlobReference.Fields f = parsed.fields();
        // as the client wrote it (the agent parses it again), without the leading slash clients often write
        String relative = stripLeadingSlash(f.relativeLocation());
        if (f.connectionString() != null) {
            return new BlobLocation(BlobLocation.Kind.CONNECTION_STRING, parsed.serviceEndpoint() + "/", relative,
                    cipher.encrypt(f.connectionString()));
        }
        return new BlobLocation(BlobLocation.Kind.SAS, f.baseLocation(), relative,
                cipher.encrypt(f.sasBlobToken()));
    }

    /**
     * Records the job (NotStarted) and its SubmitJob; returns the job, or the one an earlier submit with the same
     * idempotency key created.
     */
    @Transactional
    public JobEntity submit(Admissible job, String idempotencyKey) {
        String serviceId = job.service().service().id;
        String accountId = job.service().service().accountId;
        if (idempotencyKey != null) {
            Optional<JobEntity> earlier = JobEntity.byIdempotencyKey(serviceId, idempotencyKey);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        requireBrokerReachable();
        long waiting = waiting(accountId);
        if (waiting >= config.jobs().maxQueuedPerAccount()) {
            throw new ApiException(ErrorCode.TooManyQueuedJobs, "account " + accountId + " has " + waiting
                    + " jobs waiting to run, its limit is " + config.jobs().maxQueuedPerAccount()
                    + "; retry when some have started");
        }
        String poolId = job.request().poolId();
        String queueId = poolId == null ? config.classic().poolId() : poolId;
        if (poolId != null) {
            PoolEntity pool = PoolEntity.findById(poolId);
            if (pool == null || !pool.accountId.equals(accountId) || pool.state == PoolStatus.DELETED) {
                throw new ApiException(ErrorCode.PoolNotFound, "AzureBatchPoolId: no pool " + poolId
                        + " in subscription " + accountId);
            }
            if (pool.state == PoolStatus.DELETING) {
                throw new ApiException(ErrorCode.PoolDeleting, "AzureBatchPoolId: pool " + poolId
                        + " is being deleted and takes no new jobs");
            }
        }
        Instant now = now();
        JobEntity row = new JobEntity();
        row.id = Ids.newId();
        row.accountId = accountId;
        row.serviceId = serviceId;
        row.serviceVersion = job.service().version().version();
        row.poolId = poolId;
        row.queueId = queueId;
        row.idempotencyKey = idempotencyKey;
        row.commandSequence = 1;
        row.state = JobState.CREATED;
        row.createdAt = now;
        row.updatedAt = now;
        row.persist();
        JobSpec spec = new JobSpec(row.id, accountId, serviceId, row.serviceVersion, poolId, job.inputs(),
                job.outputs(), job.request().globalParameters(), config.jobs().maxRunTime());
        outbox.record(new SubmitJob(row.id, queueId, spec), 1, now);
        return row;
    }

    /**
     * The account's waiting jobs: counted in the database at most every {@link #WAITING_COUNT_TTL} ms per account, and
     * counted up locally in between, so a burst of submits does not count an ever longer index range each time. The
     * cap is load shedding, not an invariant: a few over it (several gateways, a count a moment old) are harmless.
     */
    private long waiting(String accountId) {
        long now = System.nanoTime();
        long[] cached = waitingCounts.get(accountId);
        if (cached != null && now - cached[1] < TimeUnit.MILLISECONDS.toNanos(WAITING_COUNT_TTL)) {
            synchronized (cached) {
                return cached[0]++;
            }
        }
        long counted = JobEntity.waitingOf(accountId);
        waitingCounts.put(accountId, new long[] {counted + 1, now});
        return counted;
    }

    /** The job an earlier submit with this key created, if any (after a concurrent duplicate lost the race). */
    @Transactional
    public Optional<JobEntity> byIdempotencyKey(String serviceId, String key) {
        return JobEntity.byIdempotencyKey(serviceId, key);
    }

    /** A job as its status shows it: the row and its queue position (1 = next to start, 0 when not queued). */
    public record Viewed(JobEntity job, long queuePosition) {
    }

    /** One job's status, read in one transaction (clients poll it every second). */
    @Transactional
    public Viewed status(String serviceId, String jobId) {
        JobEntity job = visible(serviceId, jobId, false);
        return new Viewed(job, job.queuePosition());
    }

    /** A page of the service's jobs, newest first, with their queue positions, in one transaction. */
    @Transactional
    public List<Viewed> page(String serviceId, Instant beforeCreatedAt, String beforeId, int limit) {
        return JobEntity.page(serviceId, beforeCreatedAt, beforeId, limit).stream()
                .map(job -> new Viewed(job, job.queuePosition())).toList();
    }

    @Transactional
    public JobEntity start(String serviceId, String jobId) {
        JobEntity job = visible(serviceId, jobId, true);
        return record(job, job.toRecord().start());
    }

    @Transactional
    public JobEntity cancel(String serviceId, String jobId) {
        JobEntity job = visible(serviceId, jobId, true);
        return record(job, job.toRecord().cancel());
    }

    private JobEntity record(JobEntity job, Decision<JobCommand> decision) {
        if (decision instanceof Decision.Rejected<JobCommand> rejected) {
            throw new ApiException(rejected.rejection());
        }
        if (decision instanceof Decision.Accepted<JobCommand> accepted) {
            requireBrokerReachable();
            JobRecord next = job.toRecord().apply(accepted.command());
            Instant now = now();
            job.admit(next, now);
            outbox.record(accepted.command(), next.commandSequence(), now);
        }
        return job;
    }

    /**
     * Commands wait in the outbox while the broker is away; past the relay's backlog limit the gateway stops
     * admitting work it cannot hand on (503 with Retry-After) instead of letting clients wait on a queue that does
     * not move.
     */
    private void requireBrokerReachable() {
        // the oldest row, read at most every 100 ms (the relay's own figure is only refreshed between its rounds)
        long now = System.nanoTime();
        Instant oldest;
        Object[] last = oldestRow;
        if (last != null && now - (long) last[0] < TimeUnit.MILLISECONDS.toNanos(100)) {
            oldest = (Instant) last[1];
        } else {
            oldest = OutboxEntity.oldestCreatedAt().orElse(null);
            oldestRow = new Object[] {now, oldest};
        }
        Duration age = oldest == null ? Duration.ZERO : Duration.between(oldest, clock.instant());
        if (age.compareTo(config.relay().maxBacklogAge()) > 0) {
            throw new ApiException(ErrorCode.ServiceUnavailable, "the message broker has not taken commands for "
                    + age.toSeconds() + " s; retry later");
        }
    }

    private static JobEntity visible(String serviceId, String jobId, boolean lock) {
        Optional<JobEntity> job = Ids.isValid(jobId) ? JobEntity.of(serviceId, jobId, lock) : Optional.empty();
        return job.orElseThrow(() -> new ApiException(ErrorCode.JobNotFound, Ids.isValid(jobId)
                ? "no job " + jobId + " of web service " + serviceId
                : "no such job (job ids are 32 lowercase hex characters)"));
    }

    private static String stripLeadingSlash(String s) {
        return s != null && s.startsWith("/") ? s.substring(1) : s;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
