package io.batchpool.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchpool.blob.SecretCipher;
import io.batchpool.gateway.domain.BesJobRequest;
import io.batchpool.gateway.domain.Checked;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.service.JobService;
import io.batchpool.gateway.service.LocalFiles;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.service.WebServiceService.ServiceView;
import io.batchpool.gateway.store.JobEntity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Batch Requests URL of a web service, Azure ML Studio (classic) BES api-version 2.0 (DESIGN §1): submit, start,
 * status, cancel, and our listing. Authenticated by the web service's API key (primary or secondary) or the account
 * key of its subscription; every call carries {@code ?api-version=2.0}.
 */
@ServiceApi
@Path("/{scope: subscriptions|workspaces}/{subscriptionId}/services/{serviceId}/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "BES jobs")
public class JobResource {
    static final String API_VERSION = AuthFilter.API_VERSION;
    static final int MAX_IDEMPOTENCY_KEY = 200;
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 500;

    private final JobService jobs;
    private final ObjectMapper json;
    private final SecretCipher cipher;
    private final LocalFiles localFiles;
    private final CurrentService current;
    private final GatewayConfig config;

    @Inject
    public JobResource(JobService jobs, ObjectMapper json, SecretCipher cipher, LocalFiles localFiles,
                       CurrentService current, GatewayConfig config) {
        this.current = current;
        this.config = config;
        this.jobs = jobs;
        this.json = json;
        this.cipher = cipher;
        this.localFiles = localFiles;
    }

    @POST
    @Operation(summary = "Submit a job (BatchExecutionRequest); answers the job id as a bare JSON string; the job waits until started")
    public Response submit(@QueryParam("api-version") String apiVersion,
                           @HeaderParam("Idempotency-Key") String idempotencyKey,
                           @HeaderParam("x-ms-client-request-id") String clientRequestId,
                           String text) throws java.io.IOException {
        // AuthFilter checked the key and api-version before the body was read
        ServiceView service = current.view();
        String key = idempotencyKey(idempotencyKey, clientRequestId);
        BesDtos.BatchExecutionRequest body = text == null || text.isBlank() ? null
                : json.readValue(text, BesDtos.BatchExecutionRequest.class);
        Checked<BesJobRequest> checked = BesJobRequest.check(body == null ? null : body.toRaw(), service.parameters());
        if (checked instanceof Checked.Rejected<BesJobRequest> rejected) {
            throw new ApiException(rejected.rejection());
        }
        JobService.Admissible admissible = jobs.prepare(service, ((Checked.Ok<BesJobRequest>) checked).value());
        String jobId = jobs.submit(admissible, key);
        return Response.ok("\"" + jobId + "\"", MediaType.APPLICATION_JSON_TYPE).build();
    }

    @POST
    @Path("/{jobId}/start")
    @Consumes(MediaType.WILDCARD) // takes no body: an empty one of any type is fine (Python's urllib sends a form type)
    @Operation(summary = "Start (queue) a submitted job; a repeated start of a queued or running job changes nothing")
    public Response start(@PathParam("jobId") String jobId, @QueryParam("api-version") String apiVersion) {
        ServiceView service = current.view();
        jobs.start(service.service().id, jobId);
        return Response.ok().build();
    }

    @GET
    @Path("/{jobId}")
    @Operation(summary = "Job status (BatchScoreStatus, with extension fields)")
    public Map<String, Object> status(@PathParam("jobId") String jobId, @QueryParam("api-version") String apiVersion) {
        ServiceView service = current.view();
        JobService.Viewed viewed = jobs.status(service.service().id, jobId);
        return BatchScoreStatus.of(viewed.job(), viewed.queuePosition(), json, cipher, localFiles);
    }

    @DELETE
    @Path("/{jobId}")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Cancel a job, queued or running")
    public Response cancel(@PathParam("jobId") String jobId, @QueryParam("api-version") String apiVersion) {
        ServiceView service = current.view();
        jobs.cancel(service.service().id, jobId);
        return Response.ok().build();
    }

    @GET
    @Operation(summary = "List the service's jobs, newest first ($top per page, NextLink to the next page); an extension")
    public Map<String, Object> list(@PathParam("scope") String scope, @QueryParam("api-version") String apiVersion,
                                    @QueryParam("$top") String top, @QueryParam("$skiptoken") String skipToken) {
        ServiceView service = current.view();
        int limit = pageSize(top);
        Cursor after = skipToken == null ? null : Cursor.parse(skipToken);
        List<JobService.Viewed> page = jobs.page(service.service().id, after == null ? null : after.createdAt(),
                after == null ? null : after.jobId(), limit + 1);
        List<Map<String, Object>> value = new ArrayList<>();
        for (JobService.Viewed viewed : page.subList(0, Math.min(limit, page.size()))) {
            value.add(BatchScoreStatus.of(viewed.job(), viewed.queuePosition(), json, cipher, localFiles));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Value", value);
        String next = null;
        if (page.size() > limit) {
            JobEntity last = page.get(limit - 1).job();
            // OData style, `$` as it is: the token is URL-safe base64
            // from the configured public URL and the service's own ids, never the Host header
            next = PublicUrls.base(config.publicUrl()) + "/" + scope + "/" + service.service().accountId + "/services/"
                    + service.service().id                    + "/jobs?api-version=" + API_VERSION + "&$top=" + limit + "&$skiptoken="
                    + new Cursor(last.createdAt, last.id).token();
        }
        body.put("NextLink", next);
        return body;
    }

    private static String idempotencyKey(String idempotencyKey, String clientRequestId) {
        String key = idempotencyKey != null && !idempotencyKey.isBlank() ? idempotencyKey : clientRequestId;
        if (key == null || key.isBlank()) {
            return null;
        }
        if (key.length() > MAX_IDEMPOTENCY_KEY || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ApiException(ErrorCode.InvalidRequest, "Idempotency-Key / x-ms-client-request-id must be 1 to "
                    + MAX_IDEMPOTENCY_KEY + " printable ASCII characters without spaces");
        }
        return key;
    }

    private static int pageSize(String top) {
        if (top == null) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(top);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new ApiException(ErrorCode.InvalidRequest, "$top must be an integer from 1 to " + MAX_PAGE);
    }

    /** Position after the last job of a page: its creation time (microseconds) and id. */
    record Cursor(Instant createdAt, String jobId) {
        String token() {
            long micros = createdAt.getEpochSecond() * 1_000_000L + createdAt.getNano() / 1_000;
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((micros + ":" + jobId).getBytes(StandardCharsets.US_ASCII));
        }

        static Cursor parse(String token) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split(":");
                if (parts.length == 2 && parts[1].matches("[0-9a-f]{32}")) {
                    long micros = Long.parseLong(parts[0]);
                    return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1_000L), parts[1]);
                }
            } catch (IllegalArgumentException e) {
                // the message below
            }
            throw new ApiException(ErrorCode.InvalidRequest, "$skiptoken is not a token this API gave (take NextLink as it is)");
        }
    }
}
