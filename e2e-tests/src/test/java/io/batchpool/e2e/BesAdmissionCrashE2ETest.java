package io.batchpool.e2e;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobQueued;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * BES clients submit and start jobs concurrently, and the gateway is SIGKILLed while they do: every submit and start
 * a client got its answer for reaches job-dispatcher once the gateway is back (the gateway answers only after the
 * group of commands holding it committed, and relays the outbox after its restart), each exactly once.
 */
class BesAdmissionCrashE2ETest {

    @Test
    void everyAcknowledgedSubmitAndStartSurvivesAGatewayKilledWhileClientsSubmit() throws Exception {
        BatchpoolSystem system = BatchpoolSystem.get();
        Accounts.Account account = Accounts.create(system, 2, 2);
        Bes.Service service = Bes.register(account, "classic");
        String pool = Accounts.createPool(account, 0, "plan-admission-crash"); // no VM: started jobs stay queued
        Map<String, Object> request = Bes.request("admission-crash-in.csv", "admission-crash/out.csv", pool);
        List<String> submitted = Collections.synchronizedList(new ArrayList<>());
        List<String> started = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int c = 0; c < 8; c++) {
            clients.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        Http.Response r = Http.post(service.url(""), service.apiKey(), request);
                        if (r.status() != 200) {
                            return null;
                        }
                        String job = r.body().asText();
                        submitted.add(job);
                        if (Http.post(service.url("/" + job + "/start"), service.apiKey(), "").status() == 200) {
                            started.add(job);
                        }
                    } catch (IllegalStateException e) {
                        return null; // the gateway died under this client
                    }
                }
                return null;
            });
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> started.size() >= 80);
        system.service("api-gateway").kill(); // while the clients keep submitting and starting
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        List<String> acknowledgedSubmits = List.copyOf(submitted);
        List<String> acknowledgedStarts = List.copyOf(started);
        system.service("api-gateway").start();
        system.service("api-gateway").awaitReady(Duration.ofSeconds(180));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, Integer> created = new HashMap<>();
            Map<String, Integer> queued = new HashMap<>();
            for (Envelope<JobEvent> e : Bes.jobEvents(pool)) {
                if (e.data() instanceof JobCreated c) {
                    created.merge(c.jobId(), 1, Integer::sum);
                } else if (e.data() instanceof JobQueued q) {
                    queued.merge(q.jobId(), 1, Integer::sum);
                }
            }
            assertThat(created.keySet()).as("every acknowledged submit reached the dispatcher")
                    .containsAll(acknowledgedSubmits);
            assertThat(queued.keySet()).as("every acknowledged start reached the dispatcher")
                    .containsAll(acknowledgedStarts);
            assertThat(created.values()).as("each job created once").allMatch(n -> n == 1);
            assertThat(queued.values()).as("each job queued once").allMatch(n -> n == 1);
        });
        for (String job : acknowledgedStarts) {
            assertThat(Bes.status(service, job).path("State").asText()).as(job).isEqualTo("Queued");
        }
    }
}
