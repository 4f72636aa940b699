package io.batchpool.billing.rest;

import io.batchpool.billing.BillingTestSupport.Job;
import io.batchpool.billing.config.BillingConfig;
import io.batchpool.billing.store.IntervalStore;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.kit.SkippedRecords;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.batchpool.billing.BillingTestSupport.T0;
import static io.batchpool.billing.BillingTestSupport.awaitReady;
import static io.batchpool.billing.BillingTestSupport.id;
import static io.batchpool.billing.BillingTestSupport.operator;
import static io.batchpool.billing.BillingTestSupport.publishJob;
import static io.batchpool.billing.BillingTestSupport.sec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Classic metering on the shared broker and PostgreSQL: real job-event envelopes of the classic queue (a queue id of
 * this test JVM) in, run time per account and web service out of the usage API.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "batchpool_test_billing_meter"))
class ClassicUsageApiTest {

    @Inject
    BillingConfig config;
    @Inject
    IntervalStore store;
    @Inject
    SkippedRecords skipped;

    String classic;
    long skippedBefore;

    @BeforeEach
    void ready() {
        awaitReady();
        classic = config.classicQueueId();
        assertThat(classic).as("a classic queue of this test JVM").startsWith("test-classic-");
        skippedBefore = skipped.count();
    }

    static JsonPath usage(String scope, String id, Instant from, Instant to) {
        return operator().queryParam("from", from.toString()).queryParam("to", to.toString())
                .get("/usage/classic/" + scope + "/" + id)
                .then().statusCode(200).contentType("application/json").extract().jsonPath();
    }

    /** Waits for a marker job (published last on the classic queue's one partition): everything before it is applied. */
    void awaitMarker(String account) {
        Job marker = new Job(classic, account, id()).ran(5000, 5001);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                operator().get("/usage/classic/services/" + marker.serviceId).statusCode() == 200
                        && usage("services", marker.serviceId, sec(0), sec(6000)).getLong("runMillis") == 1000);
    }

    @Test
    void runSecondsPerAccountAndWebServiceCountEveryAttemptFromEventTimes() {
        String account = id();
        String s1 = id();
        String s2 = id();
        // a (s1): attempt 1 runs 0..100 s, its VM is lost; attempt 2 runs 110..160 s
        Job a = new Job(classic, account, s1).submitted(0);
        a.started(0);
        a.requeued(100);
        a.started(110);
        a.finished(160);
        // b (s2): cancelled while running, 10..40 s
        Job b = new Job(classic, account, s2).submitted(5);
        b.started(10);
        b.cancelled(40);
        // c (s1): fails after 60 s
        Job c = new Job(classic, account, s1).submitted(200);
        c.started(200);
        c.failed(260);
        // d (s2): cancelled while queued, never ran
        new Job(classic, account, s2).submitted(300).cancelled(301);
        // the same account's job on a pool of its own: billed as VM-hours, never as classic run time
        new Job(id(), account, s1).ran(0, 1000);
        // another account
        Job other = new Job(classic, id(), id()).ran(0, 1000);
        awaitMarker(id());

        JsonPath acct = usage("accounts", account, sec(0), sec(3600));
        assertThat(acct.getString("scope")).isEqualTo("account");
        assertThat(acct.getString("id")).isEqualTo(account);
        assertThat(acct.getString("from")).isEqualTo(T0.toString());
        assertThat(acct.getLong("runMillis")).isEqualTo(240_000L);
        assertThat(acct.getDouble("runSeconds")).isEqualTo(240.0);
        assertThat(acct.getInt("jobCount")).isEqualTo(3);
        assertThat(acct.getInt("runCount")).isEqualTo(4);
        assertThat(acct.getInt("runningJobs")).isZero();
        assertThat(acct.getList("services")).hasSize(2);
        Map<String, Object> first = acct.getMap("services.find { it.serviceId == '" + s1 + "' }");
        assertThat(first).containsEntry("runMillis", 210_000).containsEntry("jobCount", 2).containsEntry("runCount", 3);
        Map<String, Object> second = acct.getMap("services.find { it.serviceId == '" + s2 + "' }");
        assertThat(second).containsEntry("runMillis", 30_000).containsEntry("jobCount", 1).containsEntry("runCount", 1);

        JsonPath service = usage("services", s1, sec(0), sec(3600));
        assertThat(service.getString("scope")).isEqualTo("service");
        assertThat(service.getLong("runMillis")).isEqualTo(210_000L);
        assertThat(service.getInt("jobCount")).isEqualTo(2);
        assertThat(service.getList("services")).as("no breakdown for one service").isNull();
        assertThat(usage("services", s2, sec(0), sec(3600)).getLong("runMillis")).isEqualTo(30_000L);
        assertThat(usage("accounts", other.accountId, sec(0), sec(3600)).getLong("runMillis")).isEqualTo(1_000_000L);

        // a range clips the runs: [50 s, 120 s) holds 50 s of a1, 10 s of a2 and nothing of b
        JsonPath clipped = usage("accounts", account, sec(50), sec(120));
        assertThat(clipped.getLong("runMillis")).isEqualTo(60_000L);
        assertThat(clipped.getInt("runCount")).isEqualTo(2);
        assertThat(clipped.getInt("runningJobs")).as("a2 still runs at 120 s").isEqualTo(1);

        // default range: from the scope's first run until now, the raw body shows seconds with milliseconds
        String body = operator().get("/usage/classic/accounts/" + account).then().statusCode(200).extract().asString();
        assertThat(body).contains("\"runSeconds\":240.000").contains("\"from\":\"" + T0 + "\"");
        assertThat(skipped.count() - skippedBefore).as("no record was skipped").isZero();
    }

    @Test
    void duplicatesAndRedeliveriesChangeNothing() {
        String account = id();
        Job job = new Job(classic, account, id()).submitted(0);
        Envelope<JobEvent> started = job.started(10);
        Envelope<JobEvent> requeued = job.requeued(70);
        Envelope<JobEvent> started2 = job.started(80);
        Envelope<JobEvent> finished = job.finished(100);
        // the same records again, the same facts under new event ids, and late redeliveries of earlier ones
        publishJob(started);
        publishJob(finished);
        publishJob(started.withEventId(id()));
        publishJob(new Envelope<>(started.type(), 1, id(), job.jobId, started.sequence(), sec(50),
                new JobStarted(job.jobId, classic, "vm-" + job.jobId, 1, sec(50))));
        publishJob(requeued); // late: must not end attempt 2 (already ended) nor anything else
        publishJob(started2);
        publishJob(finished.withEventId(id()));
        awaitMarker(account);

        JsonPath json = usage("accounts", account, sec(0), sec(3600)); // the marker runs later, at 5000 s
        assertThat(json.getLong("runMillis")).as("attempt 1: 60 s, attempt 2: 20 s").isEqualTo(80_000L);
        assertThat(json.getInt("runCount")).isEqualTo(2);
        assertThat(json.getInt("jobCount")).isEqualTo(1);
        assertThat(skipped.count() - skippedBefore).as("no record was skipped").isZero();
    }

    @Test
    void anOpenRunCountsUpToNowAndShowsAsRunning() {
        String account = id();
        Job job = new Job(classic, account, id()).submitted(0);
        job.started(0);
        awaitMarker(account);

        JsonPath inRange = usage("services", job.serviceId, sec(0), sec(30));
        assertThat(inRange.getLong("runMillis")).isEqualTo(30_000L);
        assertThat(inRange.getInt("runningJobs")).isEqualTo(1);
        long before = Instant.now().toEpochMilli() - T0.toEpochMilli();
        JsonPath untilNow = operator().get("/usage/classic/services/" + job.serviceId).then().statusCode(200)
                .extract().jsonPath();
        long after = Instant.now().toEpochMilli() - T0.toEpochMilli();
        assertThat(untilNow.getLong("runMillis")).isBetween(before, after);
        assertThat(untilNow.getInt("runningJobs")).isEqualTo(1);
        job.cancelled(3600); // leave the shared topic with a finished story
    }

    @Test
    void runsAndTheirOffsetMoveTogetherAndAReplayOfStoredOffsetsChangesNothing() {
        String account = id();
        Job job = new Job(classic, account, id()).submitted(0);
        job.started(0);
        RecordMetadata end = publishJob(job.next(new io.batchpool.contracts.job.JobFinished(job.jobId, classic, 1,
                Map.of(), 1, sec(20)), sec(20)));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                store.lastOffsets(Topics.JOB_EVENTS).getOrDefault(end.partition(), -1L) >= end.offset());
        assertThat(usage("accounts", account, sec(0), sec(60)).getLong("runMillis")).isEqualTo(20_000L);

        // the same record handled again (a redelivery after a crash) with a change that would reopen and re-end
        IntervalStore.BatchResult again = store.store(Topics.JOB_EVENTS, end.partition(), List.of(
                new IntervalStore.PendingRecord(end.offset(),
                        new io.batchpool.billing.domain.RunChange.RunEnded(job.jobId, 1, sec(40)))));
        assertThat(again.applied()).isZero();
        assertThat(usage("accounts", account, sec(0), sec(60)).getLong("runMillis")).isEqualTo(20_000L);
    }

    // ---- bad input: always a JSON error, never a 500

    static void assertError(Response response, int status, String code) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.jsonPath().getString("error.code")).isEqualTo(code);
        assertThat(response.jsonPath().getString("error.message")).isNotBlank();
    }

    @Test
    void unknownIdsAreNotFound() {
        assertError(operator().get("/usage/classic/accounts/" + id()), 404, "AccountNotFound");
        assertError(operator().get("/usage/classic/services/" + id()), 404, "WebServiceNotFound");
        assertError(operator().get("/usage/classic/accounts/not-an-id"), 404, "AccountNotFound");
        assertError(operator().get("/usage/classic/services/" + id().toUpperCase()), 404, "WebServiceNotFound");
        assertError(operator().get("/usage/classic/widgets/" + id()), 404, "NotFound");
        assertError(operator().get("/usage/classic/accounts"), 404, "NotFound");
        assertError(operator().post("/usage/classic/accounts/" + id()), 405, "MethodNotAllowed");
        assertError(operator().header("Accept", "text/html").get("/usage/classic/accounts/" + id()), 406,
                "NotAcceptable");
    }

    @Test
    void theClassicUsageNeedsTheOperatorKey() {
        for (String path : List.of("/usage/classic/accounts/" + id(), "/usage/classic/services/" + id())) {
            assertError(RestAssured.get(path), 401, "Unauthorized");
            assertError(RestAssured.given().header("Authorization", "Bearer wrong").get(path), 401, "Unauthorized");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "from=yesterday",
            "to=2026-13-01T00:00:00Z",
            "from=2026-11-26",
            "from=",
            "from=2026-11-26T10:00:00Z&to=2026-11-26T10:00:00Z",
            "from=2026-11-26T11:00:00Z&to=2026-11-26T10:00:00Z",
            "from=2026-11-26T10:00:00Z&from=2026-11-26T11:00:00Z",
            "from=0000-01-01T00:00:00Z",
            "to=+10000-01-01T00:00:00Z"})
    void badRangesAreRejectedForKnownAndUnknownIds(String query) {
        String known = new Job(classic, id(), id()).ran(0, 1).accountId;
        for (String account : List.of(known, id())) {
            assertError(operator().urlEncodingEnabled(false).get("/usage/classic/accounts/" + account + "?" + query),
                    400, "InvalidRange");
        }
    }
}
