package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStore;
import io.batchpool.blob.StagedBlob;
import io.batchpool.blob.SharedAzurite;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.ScoredCsv;
import io.batchpool.testkit.SharedBroker;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An Azure ML classic BES client, as a program written for Azure would call Batchpool, plus Azurite blobs. */
public final class Bes {
    public static final String CONTAINER = "e2e-bes";
    private static BlobStore store;

    /** A registered web service: its Batch Requests URL (without query) and API key. */
    public record Service(String id, String jobsUrl, String apiKey, String swaggerUrl) {
        public String url(String suffix) {
            return jobsUrl + suffix + (suffix.contains("?") ? "&" : "?") + "api-version=2.0";
        }
    }

    private Bes() {
    }

    public static Service register(Accounts.Account account, String kind) {
        return register(account, kind, AdultCensusModel.build(AdultCensusModel.Variant.ZIPMAP));
    }

    public static Service register(Accounts.Account account, String kind, byte[] model) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "adult-census");
        body.put("kind", kind);
        if ("new".equals(kind)) {
            body.put("billingPlanId", "plan-census");
        }
        body.put("model", Base64.getEncoder().encodeToString(model));
        String services = account.poolsUrl().replaceAll("/pools$", "/services");
        Http.Response r = Http.post(services, account.key(), body);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return new Service(r.text("serviceId"), r.text("batchRequestsUrl"), r.text("primaryKey"), r.text("swaggerUrl"));
    }

    /** The AzureBlobDataReference of a blob in the test container, connection-string form, as Azure clients send it. */
    public static Map<String, Object> blob(String name) {
        Map<String, Object> ref = new HashMap<>();
        ref.put("ConnectionString", SharedAzurite.connectionString());
        ref.put("RelativeLocation", "/" + CONTAINER + "/" + name);
        ref.put("BaseLocation", null);
        ref.put("SasBlobToken", null);
        return ref;
    }

    public static Map<String, Object> request(String input, String output, String poolId) {
        Map<String, Object> body = new HashMap<>();
        body.put("Inputs", Map.of("input1", blob(input)));
        body.put("Outputs", Map.of("output1", blob(output)));
        body.put("GlobalParameters", Map.of());
        body.put("AzureBatchPoolId", poolId);
        return body;
    }

    /** POST {base}: the job id, a bare JSON string. */
    public static String submit(Service s, Map<String, Object> request) {
        Http.Response r = Http.post(s.url(""), s.apiKey(), request);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.raw()).matches("\"[0-9a-f]{32}\"");
        return r.body().asText();
    }

    public static void start(Service s, String jobId) {
        Http.Response r = Http.post(s.url("/" + jobId + "/start"), s.apiKey(), "");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    public static JsonNode status(Service s, String jobId) {
        Http.Response r = Http.get(s.url("/" + jobId), s.apiKey());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body();
    }

    /** Polls every second, as the Azure sample clients do, until the job ends; returns the last status. */
    public static JsonNode awaitEnd(Service s, String jobId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = status(s, jobId);
            String code = status.path("StatusCode").asText();
            if (code.equals("Finished") || code.equals("Failed") || code.equals("Cancelled")) {
                return status;
            }
            assertThat(System.nanoTime()).as("job %s still %s after %s", jobId, status, timeout).isLessThan(deadline);
            Thread.sleep(1000);
        }
    }

    /** Polls (every 100 ms) until the job has the status code. */
    public static JsonNode awaitStatus(Service s, String jobId, String statusCode, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = status(s, jobId);
            if (status.path("StatusCode").asText().equals(statusCode)) {
                return status;
            }
            assertThat(System.nanoTime()).as("job %s is %s, not %s", jobId, status, statusCode).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * Downloads a result exactly as Azure clients do: BaseLocation + RelativeLocation + SasBlobToken, no credentials,
     * over HTTP/1.1 as they speak it (the JDK client's default, an h2c upgrade of a plain-http GET, made the gateway's
     * file download fail now and then: the upgraded connection received body bytes outside HTTP/2 frames).
     */
    public static String download(JsonNode result) throws Exception {
        String url = result.path("BaseLocation").asText() + result.path("RelativeLocation").asText()
                + result.path("SasBlobToken").asText();
        HttpResponse<String> r = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s", url.replaceAll("sig=[^&]*", "sig=...")).isEqualTo(200);
        return r.body();
    }

    static synchronized BlobStore store() {
        if (store == null) {
            store = new BlobStore(SharedAzurite.policy());
            store.createContainerIfMissing(ref("any"));
        }
        return store;
    }

    static BlobReference ref(String name) {
        return BlobReference.parse(SharedAzurite.connectionString(), null, CONTAINER + "/" + name, null,
                SharedAzurite.policy());
    }

    /** Uploads {@code rows} rows of the Adult Census sample as {@code name}. */
    public static void upload(String name, long rows) throws Exception {
        StagedBlob staged = store().openWrite(ref(name), "upload");
        try (InputStream in = AdultCensusData.csv(rows); OutputStream out = staged) {
            in.transferTo(out);
        }
        staged.commit();
    }

    /** Uploads {@code text} as {@code name}. */
    public static void uploadText(String name, String text) throws Exception {
        StagedBlob staged = store().openWrite(ref(name), "upload");
        try (OutputStream out = staged) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        staged.commit();
    }

    public static boolean exists(String name) {
        return store().exists(ref(name));
    }

    /** Every row of the scored CSV is its input row plus the model's label and probability (computed independently). */
    public static void checkScored(String body, int rows) throws Exception {
        ScoredCsv.check(body, rows);
    }

    /** The job events of one queue (one partition, in log order), read committed from the beginning. */
    public static List<Envelope<JobEvent>> jobEvents(String queueId) {
        return jobEvents(SharedBroker.bootstrap(), queueId);
    }

    /** {@link #jobEvents(String)} on the broker at {@code bootstrap}. */
    public static List<Envelope<JobEvent>> jobEvents(String bootstrap, String queueId) {
        return VmEventLog.readTopic(bootstrap, Topics.JOB_EVENTS, JobEvent.class, queueId::equals);
    }
}
