package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.testkit.ProjectRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL the broker (its data kept) with jobs in flight on two pools and the classic queue, and start it again
 * after an outage longer than the heartbeat timeout: once after 10 s (the broker then needs more seconds to serve:
 * its KRaft registration waits out the old session), once after 90 s. The system runs on a broker of its own, so the
 * run's shared broker is never touched. Afterwards: no VM was declared lost, every job finished once (one
 * ResultsCommitted, one JobFinished) with every row scored correctly, billed VM time equals the VMs' time in the log
 * (all alive: from their boot to now), and classic run time equals the agents' own attempt times.
 */
class BrokerOutageE2ETest {
    static final int PORT_BASE = Integer.getInteger("batchpool.e2e.port-base", 18080) + 20;
    static final int ROWS = 5000;
    static OwnBroker broker;
    static BatchpoolSystem system;
    static Accounts.Account account;
    static Bes.Service service;

    @BeforeAll
    static void up() throws Exception {
        Path dir = ProjectRoot.find().resolve("e2e-tests/target/broker-outage-kafka");
        broker = new OwnBroker(PORT_BASE + 30, dir);
        broker.startFresh();
        system = BatchpoolSystem.onOwnBroker(broker.bootstrap(), PORT_BASE, "outage");
        account = Accounts.create(system, 3, 2);
        service = Bes.register(account, "new");
        Bes.upload("outage-" + ROWS + ".csv", ROWS);
    }

    @AfterAll
    static void down() {
        if (system != null) {
            system.stopAll();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void a_broker_outage_loses_no_vm_runs_no_job_twice_and_bills_only_real_time() throws Exception {
        List<String> pools = List.of(Accounts.createPool(account, 2, "plan-outage-a"),
                Accounts.createPool(account, 2, "plan-outage-b"));
        for (String pool : pools) {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    Accounts.pool(account, pool).body().path("vmsReady").asInt() == 2);
        }
        Map<String, String> queueOf = new LinkedHashMap<>();
        for (Duration outage : List.of(Duration.ofSeconds(10), Duration.ofSeconds(90))) {
            Map<String, String> round = submitRound(pools, outage.toSeconds());
            queueOf.putAll(round);
            // jobs in flight: some running, the rest queued behind them
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    round.keySet().stream().anyMatch(j -> Bes.status(service, j).path("StatusCode").asText().equals("Running")));
            broker.kill();
            Thread.sleep(outage.toMillis());
            broker.start();
            Instant back = Instant.now();
            for (String job : round.keySet()) {
                JsonNode end = Bes.awaitEnd(service, job, Duration.ofSeconds(240));
                assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
                Bes.checkScored(Bes.download(end.path("Results").path("output1")), ROWS);
            }
            Duration recovery = Duration.between(back, Instant.now());
            for (String pool : pools) {
                awaitPoolAgrees(pool, 2);
            }
            System.out.printf("broker outage of %d s: every job finished %d ms after the broker served again%n",
                    outage.toSeconds(), recovery.toMillis());
        }

        Set<String> queues = new HashSet<>(pools);
        queues.add(system.classicPoolId());
        List<Envelope<VmEvent>> vmLog = VmEventLog.read(system.bootstrap(), queues);
        assertThat(vmLog.stream().map(Envelope::data).filter(e -> e instanceof VmDeleted d
                && d.reason() == VmDeletionReason.LOST)).as("VMs declared lost").isEmpty();

        List<Envelope<JobReport>> reports = VmEventLog.readTopic(system.bootstrap(), Topics.JOB_REPORTS,
                JobReport.class, queues::contains);
        List<Envelope<JobEvent>> events = VmEventLog.readTopic(system.bootstrap(), Topics.JOB_EVENTS,
                JobEvent.class, queues::contains);
        assertThat(countPerJob(reports.stream().map(Envelope::data).filter(r -> r instanceof ResultsCommitted)
                .map(JobReport::jobId).toList())).as("ResultsCommitted per job").isEqualTo(ones(queueOf.keySet()));
        assertThat(countPerJob(events.stream().map(Envelope::data).filter(e -> e instanceof JobFinished)
                .map(JobEvent::jobId).toList())).as("JobFinished per job").isEqualTo(ones(queueOf.keySet()));

        Instant until = Instant.now();
        for (String pool : pools) {
            long expected = VmEventLog.billedMillis(vmLog.stream().filter(e -> e.aggregateId().equals(pool)).toList(),
                    until);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Http.Response usage = Http.get(system.billing() + "/usage/pools/" + pool + "?from="
                        + until.minusSeconds(7200) + "&to=" + until, BatchpoolSystem.OPERATOR_KEY);
                assertThat(usage.status()).as(usage.raw()).isEqualTo(200);
                assertThat(usage.body().path("computeMillis").asLong()).as(usage.raw()).isEqualTo(expected);
            });
        }

        long agentMillis = agentAttemptMillis(reports, queueOf, system.classicPoolId());
        assertThat(agentMillis).isPositive();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Http.Response usage = Http.get(system.billing() + "/usage/classic/accounts/" + account.id() + "?from="
                    + until.minusSeconds(7200) + "&to=" + until, BatchpoolSystem.OPERATOR_KEY);
            assertThat(usage.status()).as(usage.raw()).isEqualTo(200);
            assertThat(usage.body().path("runMillis").asLong()).as(usage.raw()).isEqualTo(agentMillis);
        });
        // an ERROR line in a log is a bug: an outage is said once at WARN by each client that meets it
        assertThat(RunCommand.errorLinesIn(ProjectRoot.find().resolve("e2e-tests/target/logs-outage"))).isEmpty();
    }

    /** Five jobs on each pool and four classic ones, all started: job id to queue id. */
    static Map<String, String> submitRound(List<String> pools, long round) {
        Map<String, String> queueOf = new LinkedHashMap<>();
        List<String> targets = new ArrayList<>();
        for (String pool : pools) {
            for (int i = 0; i < 5; i++) {
                targets.add(pool);
            }
        }
        for (int i = 0; i < 4; i++) {
            targets.add(null);
        }
        int n = 0;
        for (String pool : targets) {
            String job = Bes.submit(service, Bes.request("outage-" + ROWS + ".csv",
                    "outage/" + round + "-" + (n++) + "-" + System.nanoTime() + ".csv", pool));
            Bes.start(service, job);
            queueOf.put(job, pool == null ? system.classicPoolId() : pool);
        }
        return queueOf;
    }

    /** pool-manager's view and job-dispatcher's slots agree on the pool's VMs, and no job holds a slot. */
    static void awaitPoolAgrees(String pool, int vms) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode view = Accounts.pool(account, pool).body();
            assertThat(view.path("vmsReady").asInt()).as(view.toString()).isEqualTo(vms);
            Http.Response slots = Http.get(system.service("job-dispatcher").url() + "/pools/" + pool + "/slots",
                    BatchpoolSystem.OPERATOR_KEY);
            assertThat(slots.status()).as(slots.raw()).isEqualTo(200);
            assertThat(slots.body().path("vms").asInt()).as(slots.raw()).isEqualTo(vms);
            assertThat(slots.body().path("slotsFree").asInt()).as(slots.raw()).isEqualTo(vms);
            assertThat(slots.body().path("jobsQueued").asInt()).as(slots.raw()).isZero();
        });
    }

    /**
     * The classic jobs' run time as their agents tell it: each attempt from its AttemptStarted to its
     * AttemptSucceeded or AttemptFailed (the agent's own report times).
     */
    static long agentAttemptMillis(List<Envelope<JobReport>> reports, Map<String, String> queueOf, String classic) {
        Map<String, Instant> started = new HashMap<>();
        long total = 0;
        for (Envelope<JobReport> e : reports) {
            JobReport r = e.data();
            if (!classic.equals(queueOf.get(r.jobId()))) {
                continue;
            }
            String attempt = r.jobId() + "#" + r.attempt();
            if (r instanceof AttemptStarted) {
                started.putIfAbsent(attempt, e.occurredAt());
            } else if (r instanceof AttemptSucceeded || r instanceof AttemptFailed) {
                Instant from = started.remove(attempt);
                assertThat(from).as("start of %s", attempt).isNotNull();
                total += e.occurredAt().toEpochMilli() - from.toEpochMilli(); // whole milliseconds, as billing counts
            }
        }
        assertThat(started).as("classic attempts that never ended").isEmpty();
        return total;
    }

    static Map<String, Long> countPerJob(List<String> jobIds) {
        return jobIds.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    static Map<String, Long> ones(Set<String> jobIds) {
        return jobIds.stream().collect(Collectors.toMap(Function.identity(), j -> 1L));
    }
}
