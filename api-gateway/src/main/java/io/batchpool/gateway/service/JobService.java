package io.batchpool.gateway.service;

import io.batchpool.blob.BlobReference;
import io.batchpool.blob.EndpointPolicy;
import io.batchpool.blob.InvalidBlobReferenceException;
import io.batchpool.blob.LocalFileStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.BesJobRequest;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.JobAdmission;
import io.batchpool.gateway.publisher.OutboxWriter;
import io.batchpool.gateway.rest.ApiException;
import io.batchpool.gateway.service.WebServiceService.ServiceView;
import io.batchpool.gateway.store.JobEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * BES job admission (DESIGN §3): a submit is checked against the registry (service, key, pool ownership,
 * parameters, blob references under the allow-list) and its storage credentials are sealed on the request's thread;
 * the job row and its SubmitJob are then recorded with the outbox by the {@link AdmissionPipeline}, in one
 * transaction with the commands that arrived at the same time; start and cancel likewise. Job state is the view
 * built from job-dispatcher's events.
 */
@ApplicationScoped
public class JobService {
    private final AdmissionPipeline admission;
    private final GatewayConfig config;
    private final EndpointPolicy policy;
    private final SecretCipher cipher;
    private final LocalFiles localFiles;
    private final Clock clock;

    @Inject
    public JobService(AdmissionPipeline admission, GatewayConfig config, EndpointPolicy policy, SecretCipher cipher,
                      LocalFiles localFiles, Clock clock) {
        this.admission = admission;
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
     * Records the job (NotStarted) and its SubmitJob through the admission pipeline (one transaction per group of
     * concurrent commands); returns the job id, or the one an earlier submit with the same idempotency key created.
     */
    public String submit(Admissible job, String idempotencyKey) {
        String serviceId = job.service().service().id;
        String accountId = job.service().service().accountId;
        String poolId = job.request().poolId();
        String queueId = poolId == null ? config.classic().poolId() : poolId;
        String jobId = Ids.newId();
        int version = job.service().version().version();
        Instant now = now();
        JobSpec spec = new JobSpec(jobId, accountId, serviceId, version, poolId, job.inputs(), job.outputs(),
                job.request().globalParameters(), config.jobs().maxRunTime());
        return admission.submit(new JobAdmission.Submit(jobId, accountId, serviceId, poolId, queueId, idempotencyKey),
                version, now, OutboxWriter.row(new SubmitJob(jobId, queueId, spec), 1, now));
    }

    /** A job as its status shows it: the row and its queue position (1 = next to start, 0 when not queued). */
    public record Viewed(JobEntity job, long queuePosition) {
    }

    /** One job's status, read in one transaction (clients poll it every second). */
    @Transactional
    public Viewed status(String serviceId, String jobId) {
        JobEntity job = visible(serviceId, jobId);
        return new Viewed(job, job.queuePosition());
    }

    /** A page of the service's jobs, newest first, with their queue positions, in one transaction. */
    @Transactional
    public List<Viewed> page(String serviceId, Instant beforeCreatedAt, String beforeId, int limit) {
        return JobEntity.page(serviceId, beforeCreatedAt, beforeId, limit).stream()
                .map(job -> new Viewed(job, job.queuePosition())).toList();
    }

    /** Starts (queues) a job: recorded unless it changes nothing; 409 for an ended job. */
    public void start(String serviceId, String jobId) {
        admission.change(new JobAdmission.Change(serviceId, checkedId(jobId), true));
    }

    /** Cancels a job: recorded unless already requested; 409 for an ended job. */
    public void cancel(String serviceId, String jobId) {
        admission.change(new JobAdmission.Change(serviceId, checkedId(jobId), false));
    }

    private static String checkedId(String jobId) {
        if (!Ids.isValid(jobId)) {
            throw new ApiException(ErrorCode.JobNotFound, "no such job (job ids are 32 lowercase hex characters)");
        }
        return jobId;
    }

    private static JobEntity visible(String serviceId, String jobId) {
        Optional<JobEntity> job = Ids.isValid(jobId) ? JobEntity.of(serviceId, jobId) : Optional.empty();
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
