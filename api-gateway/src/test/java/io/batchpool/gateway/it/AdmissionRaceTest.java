package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.it.JobApiTest.Service;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import io.batchpool.contracts.Topics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static io.batchpool.gateway.it.JobApiTest.newService;
import static io.batchpool.gateway.it.JobApiTest.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent job commands are admitted as if one after the other (they are decided in groups by one writer): the
 * same idempotency key makes one job whatever the concurrency, the cap on waiting jobs is never overrun, and
 * concurrent starts of one job record one StartJob.
 */
@QuarkusTest
class AdmissionRaceTest {
    static final int PARALLEL = 24;

    @Inject
    AgroalDataSource db;

    @Test
    void concurrentSubmitsWithOneIdempotencyKeyMakeOneJobAndAllAnswerIt() throws Exception {
        for (int round = 0; round < 3; round++) {
            Service s = newService(List.of());
            String header = round % 2 == 0 ? "Idempotency-Key" : "x-ms-client-request-id";
            List<Response> answers;
            List<String> submitted = new ArrayList<>();
            try (TopicReader commands = new TopicReader(Topics.JOB_COMMANDS)) {
                answers = race(i -> s.as().header(header, "same-key").body(request(null)).post(s.jobs()));
                String id = answers.get(0).asString().replace("\"", "");
                for (var r : commands.read(JobApiTest.CLASSIC::equals, Integer.MAX_VALUE, Duration.ofSeconds(3))) {
                    String text = new String(r.value(), StandardCharsets.UTF_8);
                    if (text.contains(id)) {
                        submitted.add(text);
                    }
                }
            }
            List<String> ids = new ArrayList<>();
            for (Response r : answers) {
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
                ids.add(r.asString());
            }
            assertThat(ids).as("round " + round).hasSize(PARALLEL).containsOnly(ids.get(0));
            assertThat(queryLong(db, "select count(*) from job where service_id = '" + s.id() + "'")).isEqualTo(1);
            assertThat(submitted).as("one SubmitJob relayed").hasSize(1);
            assertThat(submitted.get(0)).contains("\"type\":\"SubmitJob\"");
        }
    }

    @Test
    void concurrentSubmitsNeverOverrunTheCapOnWaitingJobs() throws Exception {
        Service s = newService(List.of());
        List<Response> answers = race(i -> s.as().body(request(null)).post(s.jobs()));
        List<Integer> statuses = answers.stream().map(Response::statusCode).sorted().toList();
        // %test cap: 5 waiting jobs per account
        assertThat(statuses.stream().filter(c -> c == 200)).hasSize(5);
        assertThat(statuses.stream().filter(c -> c == 429)).hasSize(PARALLEL - 5);
        assertThat(queryLong(db, "select count(*) from job where service_id = '" + s.id() + "'")).isEqualTo(5);
    }

    @Test
    void concurrentStartsOfOneJobRecordOneStart() throws Exception {
        Service s = newService(List.of());
        String job = JobApiTest.submit(s, request(null));
        List<Response> answers = race(i -> i % 2 == 0
                ? s.as().post(s.jobs() + "/" + job + "/start")
                : s.as().get(s.jobs() + "/" + job));
        for (Response r : answers) {
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        }
        assertThat(queryLong(db, "select command_sequence from job where id = '" + job + "'"))
                .as("SubmitJob and one StartJob").isEqualTo(2);
        s.as().get(s.jobs() + "/" + job).then().statusCode(200);
        assertThat(s.as().get(s.jobs() + "/" + job).<String>path("State")).isEqualTo("Queued");
    }

    private static List<Response> race(Function<Integer, Response> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> results = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                int n = i;
                Callable<Response> c = () -> {
                    start.await();
                    return call.apply(n);
                };
                results.add(pool.submit(c));
            }
            start.countDown();
            List<Response> answers = new ArrayList<>();
            for (Future<Response> f : results) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}
