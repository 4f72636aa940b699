package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFailed;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobQueued;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.ScoredCsv;
import io.batchpool.scoring.fixtures.TreeEnsembleModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * BES jobs end to end on the real broker, PostgreSQL and Azurite, with the packaged services as processes: a client
 * written for Azure ML classic BES, a flooded pool, the classic queue. Order and causality come from the log of
 * record (job events of a queue are one partition, in order), never from wall-clock timing.
 */
class BesJobsE2ETest {
    static BatchpoolSystem system;
    static Accounts.Account account;
    static Bes.Service service;

    @BeforeAll
    static void start() throws Exception {
        system = BatchpoolSystem.get();
        account = Accounts.create(system, 5, 4);
        service = Bes.register(account, "new");
        Bes.upload("adult-2000.csv", 2000);
        Bes.upload("adult-20.csv", 20);
    }

    static String poolFromSwagger(int vms) {
        Http.Response r = Http.post(account.poolsUrl(), account.key(), Map.of("vmCount", vms,
                "serviceUrl", service.swaggerUrl()));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.text("billingPlanId")).isEqualTo("plan-census");
        return r.text("poolId");
    }

    static void awaitReady(String pool, int vms) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Accounts.pool(account, pool).body().path("vmsReady").asInt() == vms);
    }

    @Test
    void anAzureBesClientSubmitsStartsPollsAndDownloadsCorrectlyScoredRows() throws Exception {
        String pool = poolFromSwagger(2);
        awaitReady(pool, 2);
        String job = Bes.submit(service, Bes.request("adult-2000.csv", "scored/adult-2000.csv", pool));
        assertThat(Bes.status(service, job).path("StatusCode").asText()).isEqualTo("NotStarted");
        Bes.start(service, job);
        JsonNode end = Bes.awaitEnd(service, job, Duration.ofSeconds(120));
        assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
        assertThat(end.path("RowsScored").asLong()).isEqualTo(2000);
        assertThat(end.path("AzureBatchPoolId").asText()).isEqualTo(pool);
        JsonNode result = end.path("Results").path("output1");
        assertThat(result.path("BaseLocation").asText()).endsWith("/");
        assertThat(result.path("RelativeLocation").asText()).doesNotStartWith("/");
        assertThat(result.path("SasBlobToken").asText()).startsWith("?").contains("sp=r").doesNotContain("sp=rw");
        assertThat(end.toString()).as("no storage key in the status").doesNotContain("AccountKey")
                .doesNotContain("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq");
        Bes.checkScored(Bes.download(result), 2000);
    }

    @Test
    void aFloodedTwoVmPoolRunsAtMostTwoAtOnceInFifoOrderEachAfterASlotFrees() throws Exception {
        String pool = poolFromSwagger(2);
        awaitReady(pool, 2);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String job = Bes.submit(service, Bes.request("adult-20.csv", "flood/" + pool + "-" + i + ".csv", pool));
            Bes.start(service, job); // started in submission order: that is the queue's order
            jobs.add(job);
        }
        for (String job : jobs) {
            JsonNode end = Bes.awaitEnd(service, job, Duration.ofSeconds(180));
            assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
        }
        checkQueueLog(pool, jobs, 2, null);
        Bes.checkScored(Bes.download(Bes.status(service, jobs.get(19)).path("Results").path("output1")), 20);
    }

    /**
     * A binary random forest in skl2onnx's layout (TreeEnsembleClassifier + ZipMap), 100 trees of depth 8, registered
     * and run as a job, labels rows like the independent walk of its trees. On ONNX Runtime 1.26.0 registration
     * rejects it (its probabilities come back as {negative: -p, positive: p}), and scored anyway, every row is >50K.
     */
    @Test
    void aRandomForestInTheSkl2onnxLayoutScoresLikeTheIndependentWalkOfItsTrees() throws Exception {
        TreeEnsembleModel forest = TreeEnsembleModel.randomForest(100, 8, 3);
        Bes.Service trees = Bes.register(account, "classic", forest.build(AdultCensusModel.Variant.ZIPMAP));
        String job = Bes.submit(trees, Bes.request("adult-2000.csv", "forest/" + System.nanoTime() + ".csv", null));
        Bes.start(trees, job);
        JsonNode end = Bes.awaitEnd(trees, job, Duration.ofSeconds(180));
        assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
        long positives = ScoredCsv.check(Bes.download(end.path("Results").path("output1")), 2000, forest::expected,
                AdultCensusModel.Variant.ZIPMAP);
        assertThat(positives).as("rows labelled >50K").isBetween(200L, 1800L);
    }

    @Test
    void theClassicQueueRunsJobsWithoutPoolFifoWithAtMostTheCapPerService() throws Exception {
        Bes.Service other = Bes.register(account, "classic");
        List<String> jobs = new ArrayList<>();
        Map<String, String> serviceOf = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            Bes.Service s = i % 4 == 3 ? other : service; // 6 jobs of one service, 2 of another
            String job = Bes.submit(s, Bes.request("adult-20.csv", "classic/" + i + "-" + System.nanoTime() + ".csv", null));
            Bes.start(s, job);
            jobs.add(job);
            serviceOf.put(job, s.id());
        }
        for (String job : jobs) {
            Bes.Service s = serviceOf.get(job).equals(other.id()) ? other : service;
            JsonNode end = Bes.awaitEnd(s, job, Duration.ofSeconds(180));
            assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
            assertThat(end.path("AzureBatchPoolId").isNull()).isTrue();
        }
        checkQueueLog(system.classicPoolId(), jobs, BatchpoolSystem.CLASSIC_SLOTS, serviceOf);
    }

    @Test
    void runtimeFailuresEndTheJobFailedWithDetailsThatSayWhatAndWhereAndTheVmRunsOn() throws Exception {
        String pool = poolFromSwagger(1);
        awaitReady(pool, 1);
        String[] bad = io.batchpool.scoring.fixtures.AdultCensusData.row(2);
        bad[io.batchpool.scoring.fixtures.AdultCensusData.HEADER.indexOf("age")] = "abc"; // a numeric column
        String csv = String.join(",", io.batchpool.scoring.fixtures.AdultCensusData.HEADER) + "\r\n"
                + io.batchpool.scoring.fixtures.AdultCensusData.line(io.batchpool.scoring.fixtures.AdultCensusData.row(0))
                + io.batchpool.scoring.fixtures.AdultCensusData.line(io.batchpool.scoring.fixtures.AdultCensusData.row(1))
                + io.batchpool.scoring.fixtures.AdultCensusData.line(bad);
        Bes.uploadText("bad-cell.csv", csv);
        Bes.uploadText("wrong-columns.csv", "name,colour\r\nann,red\r\n");

        String missing = Bes.submit(service, Bes.request("no-such-input.csv", "failed/a.csv", pool));
        Bes.start(service, missing);
        JsonNode m = Bes.awaitEnd(service, missing, Duration.ofSeconds(60));
        assertThat(m.path("StatusCode").asText()).isEqualTo("Failed");
        assertThat(m.path("Details").asText()).contains("no-such-input.csv");

        String cell = Bes.submit(service, Bes.request("bad-cell.csv", "failed/b.csv", pool));
        Bes.start(service, cell);
        JsonNode c = Bes.awaitEnd(service, cell, Duration.ofSeconds(60));
        assertThat(c.path("StatusCode").asText()).isEqualTo("Failed");
        assertThat(c.path("Details").asText()).contains("line 4").contains("age").contains("abc");

        String columns = Bes.submit(service, Bes.request("wrong-columns.csv", "failed/c.csv", pool));
        Bes.start(service, columns);
        JsonNode w = Bes.awaitEnd(service, columns, Duration.ofSeconds(60));
        assertThat(w.path("StatusCode").asText()).isEqualTo("Failed");
        assertThat(w.path("Details").asText()).contains("age");
        for (JsonNode failed : List.of(m, c, w)) {
            assertThat(failed.path("Attempt").asInt()).as("a user error is not retried").isEqualTo(1);
            assertThat(failed.path("Results").isNull()).isTrue();
        }
        assertThat(Bes.exists("failed/b.csv")).as("no partial output").isFalse();
        // the VM is fine: the next job runs
        String ok = Bes.submit(service, Bes.request("adult-20.csv", "failed/after.csv", pool));
        Bes.start(service, ok);
        assertThat(Bes.awaitEnd(service, ok, Duration.ofSeconds(60)).path("StatusCode").asText()).isEqualTo("Finished");
    }

    /**
     * Replays the queue's job events in log order and checks: jobs are assigned in the order they were queued
     * (FIFO, per service when capped), never more than {@code slots} hold a slot at once, never more than the cap
     * per service, and once the slots are full, each next assignment comes after a slot freed.
     */
    static void checkQueueLog(String queueId, List<String> jobs, int slots, Map<String, String> serviceOf) {
        Set<String> ours = new HashSet<>(jobs);
        List<String> queued = new ArrayList<>();
        List<String> assigned = new ArrayList<>();
        Set<String> holding = new HashSet<>();
        Map<String, Integer> perService = new HashMap<>();
        int frees = 0;
        for (Envelope<JobEvent> e : Bes.jobEvents(queueId)) {
            JobEvent event = e.data();
            String job = event.aggregateId();
            if (!ours.contains(job)) {
                continue;
            }
            if (event instanceof JobQueued) {
                queued.add(job);
            } else if (event instanceof JobAssigned) {
                assertThat(holding.add(job)).as("%s assigned while it holds a slot", job).isTrue();
                assigned.add(job);
                assertThat(holding.size()).as("jobs holding a slot after assigning %s", job).isLessThanOrEqualTo(slots);
                assertThat(assigned.size()).as("assignment %d needs a free slot: %d slots, %d freed so far",
                        assigned.size(), slots, frees).isLessThanOrEqualTo(slots + frees);
                if (serviceOf != null) {
                    int running = perService.merge(serviceOf.get(job), 1, Integer::sum);
                    assertThat(running).as("running jobs of service %s", serviceOf.get(job))
                            .isLessThanOrEqualTo(BatchpoolSystem.CLASSIC_MAX_RUNNING_PER_SERVICE);
                }
            } else if (event instanceof JobFinished || event instanceof JobFailed || event instanceof JobCancelled
                    || event instanceof JobRequeued) {
                if (holding.remove(job)) {
                    frees++;
                    if (serviceOf != null) {
                        perService.merge(serviceOf.get(job), -1, Integer::sum);
                    }
                }
            } else if (!(event instanceof JobCreated)) {
                continue;
            }
        }
        assertThat(queued).as("every job was queued once, in the order started").isEqualTo(jobs);
        assertThat(assigned).as("every job ran once").containsExactlyInAnyOrderElementsOf(jobs);
        if (serviceOf == null) {
            assertThat(assigned).as("FIFO").isEqualTo(jobs);
        } else {
            for (String s : new HashSet<>(serviceOf.values())) {
                assertThat(assigned.stream().filter(j -> serviceOf.get(j).equals(s)).toList())
                        .as("FIFO within service %s", s)
                        .isEqualTo(jobs.stream().filter(j -> serviceOf.get(j).equals(s)).toList());
            }
        }
    }
}
