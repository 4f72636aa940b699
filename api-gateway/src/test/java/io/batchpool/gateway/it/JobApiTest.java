package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.CancelJob;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobQueued;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.service.ModelPublished;
import io.batchpool.contracts.service.ServiceModelEvent;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** The BES job API (api-version 2.0) through the gateway: wire shapes, commands on the topic, the job view. */
@QuarkusTest
class JobApiTest {
    static final EventCodec<JobCommand> COMMANDS = new EventCodec<>(JobCommand.class);
    static final EventCodec<JobEvent> EVENTS = new EventCodec<>(JobEvent.class);
    static final String ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    static final String CONNECTION_STRING = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
            + ACCOUNT_KEY + ";BlobEndpoint=http://127.0.0.1:10100/devstoreaccount1;";
    static final String CLASSIC = "00000000000000000000000000c1a551";

    @Inject
    AgroalDataSource db;

    KafkaProducer<String, byte[]> producer;

    /** A service of a fresh account: its jobs URL and API key. */
    record Service(Account account, String id, String key, String jobs) {
        io.restassured.specification.RequestSpecification as() {
            return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .queryParam("api-version", "2.0");
        }
    }

    @BeforeEach
    void producer() {
        producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "gateway-job-view-test"));
    }

    @AfterEach
    void close() {
        producer.close();
    }

    static Service newService(List<Map<String, Object>> parameters) {
        Account a = newAccount(3, 10);
        Response r = a.as().body(Map.of("name", "census", "kind", "classic", "parameters", parameters,
                "model", Models.base64(Models.ADULT_TENSOR))).post("/subscriptions/" + a.id() + "/services");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
        String id = r.path("serviceId");
        return new Service(a, id, r.path("primaryKey"), "/subscriptions/" + a.id() + "/services/" + id + "/jobs");
    }

    static Map<String, Object> ref(String relative) {
        Map<String, Object> m = new HashMap<>();
        m.put("ConnectionString", CONNECTION_STRING);
        m.put("RelativeLocation", relative);
        m.put("BaseLocation", null);
        m.put("SasBlobToken", null);
        return m;
    }

    static Map<String, Object> request(String poolId) {
        Map<String, Object> body = new HashMap<>();
        body.put("Inputs", Map.of("input1", ref("/testint/data.csv")));
        body.put("Outputs", Map.of("output1", ref("testint/out.csv")));
        body.put("GlobalParameters", Map.of());
        if (poolId != null) {
            body.put("AzureBatchPoolId", poolId);
        }
        return body;
    }

    static String submit(Service s, Map<String, Object> body) {
        Response r = s.as().body(body).post(s.jobs());
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        String raw = r.asString();
        assertThat(raw).as("the job id as a bare JSON string").matches("\"[0-9a-f]{32}\"");
        assertThat(r.contentType()).startsWith("application/json");
        return raw.substring(1, raw.length() - 1);
    }

    <E extends JobEvent> void publish(E event, long sequence) throws Exception {
        producer.send(new ProducerRecord<>(Topics.JOB_EVENTS, event.key(),
                EVENTS.encode(Envelope.of(event, sequence, Instant.now())))).get();
    }

    @Test
    void submitStartPollCancelOnAPool() throws Exception {
        Service s = newService(List.of(Map.of("name", "Threshold", "default", "0.5")));
        String pool = newPool(s.account(), 2);
        try (TopicReader commands = new TopicReader(Topics.JOB_COMMANDS)) {
            String job = submit(s, request(pool));
            s.as().get(s.jobs() + "/" + job).then().statusCode(200)
                    .body("StatusCode", equalTo("NotStarted")).body("State", equalTo("Created"))
                    .body("Results", nullValue()).body("Details", nullValue())
                    .body("JobId", equalTo(job)).body("AzureBatchPoolId", equalTo(pool));
            s.as().post(s.jobs() + "/" + job + "/start").then().statusCode(200);
            s.as().post(s.jobs() + "/" + job + "/start").then().statusCode(200); // no-op: already requested
            s.as().delete(s.jobs() + "/" + job).then().statusCode(200);

            List<ConsumerRecord<String, byte[]>> records = commands.read(pool::equals, 3, Duration.ofSeconds(20));
            assertThat(records).as("SubmitJob, StartJob, CancelJob keyed by the pool id, and nothing else")
                    .hasSize(3);
            assertThat(commands.read(pool::equals, 1, Duration.ofSeconds(1))).isEmpty();
            List<JobCommand> sent = records.stream().map(r -> COMMANDS.decode(r.value()).data()).toList();
            assertThat(sent.get(0)).isInstanceOf(SubmitJob.class);
            assertThat(sent.get(1)).isEqualTo(new StartJob(job, pool));
            assertThat(sent.get(2)).isEqualTo(new CancelJob(job, pool));
            SubmitJob submitted = (SubmitJob) sent.get(0);
            assertThat(submitted.spec().serviceId()).isEqualTo(s.id());
            assertThat(submitted.spec().serviceVersion()).isEqualTo(1);
            assertThat(submitted.spec().globalParameters()).containsExactly(Map.entry("Threshold", "0.5"));
            BlobLocation input = submitted.spec().inputs().get("input1");
            assertThat(input.kind()).isEqualTo(BlobLocation.Kind.CONNECTION_STRING);
            assertThat(input.relativeLocation()).isEqualTo("testint/data.csv");
            assertThat(input.baseLocation()).isEqualTo("http://127.0.0.1:10100/devstoreaccount1/");
            assertThat(SecretCipher.isEncrypted(input.sealedCredential())).isTrue();
            for (ConsumerRecord<String, byte[]> r : records) {
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).as("no storage credential in clear on Kafka")
                        .doesNotContain(ACCOUNT_KEY).doesNotContain("AccountKey");
            }
        }
    }

    @Test
    void theViewFollowsTheDispatchersEventsAndEndedJobsRefuseStartAndCancel() throws Exception {
        Service s = newService(List.of());
        String pool = newPool(s.account(), 1);
        String job = submit(s, request(pool));
        s.as().post(s.jobs() + "/" + job + "/start").then().statusCode(200);
        publish(new JobCreated(job, pool, s.account().id(), s.id(), 1), 1);
        publish(new JobQueued(job, pool, 41), 2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> s.as().get(s.jobs() + "/" + job).then()
                .body("StatusCode", equalTo("NotStarted")).body("State", equalTo("Queued"))
                .body("QueuePosition", equalTo(1)));
        Instant started = Instant.parse("2026-11-27T10:00:00.123Z");
        // a legal history (the dispatcher replays this topic too): assigned, then started
        publish(new JobAssigned(job, pool, "f0e1d2c3b4a5968778695a4b3c2d1e0f", 1), 3);
        publish(new JobStarted(job, pool, "f0e1d2c3b4a5968778695a4b3c2d1e0f", 1, started), 4);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> s.as().get(s.jobs() + "/" + job).then()
                .body("StatusCode", equalTo("Running")).body("StartTime", equalTo(started.toString()))
                .body("Attempt", equalTo(1)));
        publish(new JobQueued(job, pool, 40), 3); // older than what the view has: changes nothing
        SecretCipher cipher = SecretCipher.fromBase64Key(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("batchpool.secrets.key", String.class));
        Map<String, ResultLocation> results = Map.of("output1", new ResultLocation(
                "http://127.0.0.1:10100/devstoreaccount1/", "testint/out.csv",
                cipher.encrypt("?sv=2025-01-05&sr=b&sp=r&sig=abc"))); // sealed on Kafka, opened for the client
        publish(new JobFinished(job, pool, 1, results, 2000, started.plusSeconds(3)), 6);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> s.as().get(s.jobs() + "/" + job).then()
                .body("StatusCode", equalTo("Finished")).body("RowsScored", equalTo(2000))
                .body("Results.output1.BaseLocation", equalTo("http://127.0.0.1:10100/devstoreaccount1/"))
                .body("Results.output1.RelativeLocation", equalTo("testint/out.csv"))
                .body("Results.output1.SasBlobToken", equalTo("?sv=2025-01-05&sr=b&sp=r&sig=abc"))
                .body("Results.output1.ConnectionString", nullValue())
                .body("EndTime", equalTo(started.plusSeconds(3).toString())));
        s.as().post(s.jobs() + "/" + job + "/start").then().statusCode(409).body("error.code", equalTo("JobEnded"));
        s.as().delete(s.jobs() + "/" + job).then().statusCode(409).body("error.code", equalTo("JobEnded"));
    }

    @Test
    void aClientReadsItsOwnStartAndCancelBeforeTheDispatcherAnswersAndLaterEventsStillAdvanceTheView() throws Exception {
        Service s = newService(List.of());
        String pool = newPool(s.account(), 1);
        String job = submit(s, request(pool));
        s.as().post(s.jobs() + "/" + job + "/start").then().statusCode(200);
        // no dispatcher runs here: the view has no event of this job, yet the start is acknowledged
        s.as().get(s.jobs() + "/" + job).then().statusCode(200).body("StatusCode", equalTo("NotStarted"))
                .body("State", equalTo("Queued")).body("QueuePosition", equalTo(1));
        s.as().get(s.jobs()).then().statusCode(200).body("Value[0].State", equalTo("Queued"));
        publish(new JobCreated(job, pool, s.account().id(), s.id(), 1), 1);
        publish(new JobQueued(job, pool, 7), 2);
        publish(new JobAssigned(job, pool, "f0e1d2c3b4a5968778695a4b3c2d1e0f", 1), 3);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> s.as().get(s.jobs() + "/" + job).then()
                .body("State", equalTo("Assigned")));
        s.as().delete(s.jobs() + "/" + job).then().statusCode(200);
        s.as().get(s.jobs() + "/" + job).then().statusCode(200).body("StatusCode", equalTo("NotStarted"))
                .body("State", equalTo("Cancelling"));
        publish(new JobCancelled(job, pool, "cancelled by the client", Instant.parse("2026-11-27T10:00:01Z")), 4);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> s.as().get(s.jobs() + "/" + job).then()
                .body("StatusCode", equalTo("Cancelled")).body("State", equalTo("Cancelled")));
        String other = submit(s, request(pool));
        publish(new JobQueued(job, pool, 8), 2); // replayed: older than what the view has
        publish(new JobCreated(job, pool, s.account().id(), s.id(), 1), 1);
        publish(new JobQueued(other, pool, 9), 2); // same key, so applied after the two above
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> s.as().get(s.jobs() + "/" + other).then()
                .body("State", equalTo("Queued")));
        s.as().get(s.jobs() + "/" + job).then().body("State", equalTo("Cancelled"));
    }

    @Test
    void queuePositionCountsTheQueuedJobsAhead() throws Exception {
        Service s = newService(List.of());
        String pool = newPool(s.account(), 1);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String job = submit(s, request(pool));
            jobs.add(job);
            publish(new JobCreated(job, pool, s.account().id(), s.id(), 1), 1);
            publish(new JobQueued(job, pool, 100 + i), 2);
        }
        for (int i = 0; i < 3; i++) {
            int expected = i + 1;
            String job = jobs.get(i);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> s.as().get(s.jobs() + "/" + job).then()
                    .body("QueuePosition", equalTo(expected)));
        }
    }

    @Test
    void idempotencyKeysReturnTheSameJobAndTheSingleInputFormAndClassicJobsWork() {
        Service s = newService(List.of());
        Map<String, Object> body = request(null);
        body.remove("Inputs");
        body.put("Input", ref("testint/data.csv"));
        String first = s.as().header("Idempotency-Key", "retry-1").body(body).post(s.jobs()).asString();
        String again = s.as().header("Idempotency-Key", "retry-1").body(body).post(s.jobs()).asString();
        String viaMs = s.as().header("x-ms-client-request-id", "retry-2").body(body).post(s.jobs()).asString();
        String viaMsAgain = s.as().header("x-ms-client-request-id", "retry-2").body(body).post(s.jobs()).asString();
        assertThat(again).isEqualTo(first);
        assertThat(viaMsAgain).isEqualTo(viaMs).isNotEqualTo(first);
        String id = first.substring(1, first.length() - 1);
        assertThat(queryLong(db, "select count(*) from job where service_id = '" + s.id() + "'")).isEqualTo(2);
        assertThat(queryLong(db, "select count(*) from job where id = '" + id + "' and queue_id = '" + CLASSIC
                + "' and pool_id is null")).as("a job without AzureBatchPoolId is a classic job").isEqualTo(1);
        s.as().get(s.jobs() + "/" + id).then().statusCode(200).body("AzureBatchPoolId", nullValue());
        // the workspace form of the URL names the same jobs
        s.as().get("/workspaces/" + s.account().id() + "/services/" + s.id() + "/jobs/" + id).then().statusCode(200);
    }

    @Test
    void listIsNewestFirstAndPaged() {
        Service s = newService(List.of());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit(s, request(null)));
        }
        List<String> seen = new ArrayList<>();
        Response page = s.as().queryParam("$top", 2).get(s.jobs());
        int pages = 0;
        while (true) {
            page.then().statusCode(200);
            seen.addAll(page.path("Value.JobId"));
            pages++;
            String next = page.path("NextLink");
            if (next == null) {
                break;
            }
            // absolute, from batchpool.public-url (the test server listens on another port: follow its path)
            assertThat(next).startsWith(HttpSurfaceTest.PUBLIC_URL + s.jobs() + "?")
                    .contains("$skiptoken=").contains("api-version=2.0");
            page = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + s.key())
                    .get(next.substring(HttpSurfaceTest.PUBLIC_URL.length()));
        }
        assertThat(pages).isEqualTo(3);
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertThat(seen).isEqualTo(newestFirst);
    }

    @Test
    void theCapOnWaitingJobsAnswers429WithRetryAfter() {
        Service s = newService(List.of());
        for (int i = 0; i < 5; i++) { // %test cap: 5
            submit(s, request(null));
        }
        s.as().body(request(null)).post(s.jobs()).then().statusCode(429)
                .header("Retry-After", "5").body("error.code", equalTo("TooManyQueuedJobs"));
        assertThat(queryLong(db, "select count(*) from job where service_id = '" + s.id() + "'")).isEqualTo(5);
    }

    @Test
    void registeringAVersionPublishesItsModelForTheAgents() throws Exception {
        try (TopicReader models = new TopicReader(Topics.SERVICE_MODELS)) {
            Service s = newService(List.of());
            String key = ModelPublished.modelId(s.id(), 1);
            List<ConsumerRecord<String, byte[]>> records = models.read(key::equals, 1, Duration.ofSeconds(20));
            assertThat(records).hasSize(1);
            ServiceModelEvent event = new EventCodec<>(ServiceModelEvent.class).decode(records.get(0).value()).data();
            ModelPublished published = (ModelPublished) event;
            assertThat(published.accountId()).isEqualTo(s.account().id());
            assertThat(published.model()).isEqualTo(Models.ADULT_TENSOR);
            assertThat(published.sha256()).isEqualTo(sha256(Models.ADULT_TENSOR));
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
