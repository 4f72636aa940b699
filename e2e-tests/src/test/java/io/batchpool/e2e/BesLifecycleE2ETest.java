package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What happens to jobs when clients and operators act on them, and when processes die: cancel (queued and running),
 * resize down while busy, delete with a queue, a VM crash mid-job, a dispatcher restart mid-queue. Long jobs score
 * {@link #LONG_ROWS} rows, which takes seconds, so there is a job running to act on; what is asserted is order and
 * outcome, never how long anything took.
 */
class BesLifecycleE2ETest {
    static final int LONG_ROWS = 600_000;
    static final String LONG = "adult-long.csv";
    static final String SHORT = "adult-short.csv";
    static BatchpoolSystem system;
    static Accounts.Account account;
    static Bes.Service service;

    @BeforeAll
    static void start() throws Exception {
        system = BatchpoolSystem.get();
        account = Accounts.create(system, 10, 4);
        service = Bes.register(account, "classic");
        Bes.upload(LONG, LONG_ROWS);
        Bes.upload(SHORT, 200);
    }

    static String readyPool(int vms) {
        String pool = Accounts.createPool(account, vms, "plan-lifecycle");
        await().atMost(Duration.ofSeconds(60)).until(() -> Accounts.pool(account, pool).body().path("vmsReady").asInt() == vms);
        return pool;
    }

    static String run(String input, String output, String pool) {
        String job = Bes.submit(service, Bes.request(input, output, pool));
        Bes.start(service, job);
        return job;
    }

    static String out(String what) {
        return "lifecycle/" + what + "-" + System.nanoTime() + ".csv";
    }

    static List<String> assignedJobs(String queue) {
        List<String> out = new ArrayList<>();
        for (Envelope<JobEvent> e : Bes.jobEvents(queue)) {
            if (e.data() instanceof JobAssigned a) {
                out.add(a.jobId());
            }
        }
        return out;
    }

    @Test
    void cancelStopsAQueuedJobBeforeItRunsAndARunningJobWithoutAResult() throws Exception {
        String pool = readyPool(1);
        String longOut = out("cancelled-running");
        String running = run(LONG, longOut, pool);
        String queued = run(SHORT, out("cancelled-queued"), pool);
        Bes.awaitStatus(service, running, "Running", Duration.ofSeconds(60));
        assertThat(Bes.status(service, queued).path("State").asText()).isEqualTo("Queued");

        assertThat(Http.delete(service.url("/" + queued), service.apiKey()).status()).isEqualTo(200);
        JsonNode q = Bes.awaitEnd(service, queued, Duration.ofSeconds(60));
        assertThat(q.path("StatusCode").asText()).isEqualTo("Cancelled");
        assertThat(q.path("Details").asText()).contains("cancelled");
        assertThat(Http.delete(service.url("/" + running), service.apiKey()).status()).isEqualTo(200);
        JsonNode r = Bes.awaitEnd(service, running, Duration.ofSeconds(60));
        assertThat(r.path("StatusCode").asText()).as(r.toString()).isEqualTo("Cancelled");
        assertThat(r.path("Results").isNull()).isTrue();
        // the slot is free again: the next job runs; the cancelled job left no result (its staged blocks are invisible)
        String next = run(SHORT, out("after-cancel"), pool);
        assertThat(Bes.awaitEnd(service, next, Duration.ofSeconds(60)).path("StatusCode").asText()).isEqualTo("Finished");
        assertThat(Bes.exists(longOut)).as("a cancelled job's output").isFalse();
        assertThat(Http.delete(service.url("/" + running), service.apiKey()).status()).as("cancel of a cancelled job")
                .isEqualTo(409);
        assertThat(assignedJobs(pool)).as("the queued job never ran").doesNotContain(queued).contains(running, next);
    }

    @Test
    void resizeDownWhileBusyLetsTheBusyVmsFinishTheirJobsBeforeTheyGo() throws Exception {
        String pool = readyPool(2);
        String a = run(LONG, out("resize-a"), pool);
        String b = run(LONG, out("resize-b"), pool);
        Bes.awaitStatus(service, a, "Running", Duration.ofSeconds(60));
        Bes.awaitStatus(service, b, "Running", Duration.ofSeconds(60));
        assertThat(Accounts.resize(account, pool, 1).status()).isEqualTo(202);
        for (String job : List.of(a, b)) {
            JsonNode end = Bes.awaitEnd(service, job, Duration.ofSeconds(180));
            assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
            assertThat(end.path("Attempt").asInt()).as("finished where it started, never requeued").isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode p = Accounts.pool(account, pool).body();
            return p.path("vmsReady").asInt() == 1 && p.path("vmsDraining").asInt() == 0
                    && p.path("vmsProvisioning").asInt() == 0;
        });
        // the VM that went drained first and was deleted only after the job on it finished
        Map<String, Instant> finishedOn = new HashMap<>();
        for (Envelope<JobEvent> e : Bes.jobEvents(pool)) {
            assertThat(e.data()).isNotInstanceOf(JobRequeued.class);
        }
        Map<String, String> vmOf = new HashMap<>();
        for (Envelope<JobEvent> e : Bes.jobEvents(pool)) {
            if (e.data() instanceof JobAssigned x) {
                vmOf.put(x.jobId(), x.vmId());
            } else if (e.data() instanceof JobFinished f) {
                finishedOn.put(vmOf.get(f.jobId()), f.endedAt());
            }
        }
        List<Envelope<VmEvent>> vmLog = VmEventLog.read(Set.of(pool));
        List<String> drained = vmLog.stream().filter(e -> e.data() instanceof VmDrainStarted)
                .map(e -> e.data().vmId()).toList();
        assertThat(drained).as("one busy VM drained").hasSize(1);
        VmDeleted deleted = vmLog.stream().filter(e -> e.data() instanceof VmDeleted d && d.vmId().equals(drained.get(0)))
                .map(e -> (VmDeleted) e.data()).findFirst().orElseThrow();
        assertThat(deleted.deletedAt()).as("deleted after its job finished")
                .isAfterOrEqualTo(finishedOn.get(drained.get(0)));
    }

    @Test
    void deletingAPoolCancelsItsQueuedJobsAndLetsTheRunningOneFinish() throws Exception {
        String pool = readyPool(1);
        String running = run(LONG, out("delete-running"), pool);
        Bes.awaitStatus(service, running, "Running", Duration.ofSeconds(60));
        List<String> queued = List.of(run(SHORT, out("delete-q1"), pool), run(SHORT, out("delete-q2"), pool));
        assertThat(Http.delete(account.poolsUrl() + "/" + pool, account.key()).status()).isEqualTo(202);
        for (String job : queued) {
            JsonNode end = Bes.awaitEnd(service, job, Duration.ofSeconds(60));
            assertThat(end.path("StatusCode").asText()).isEqualTo("Cancelled");
            assertThat(end.path("Details").asText()).isEqualTo("pool deleted");
        }
        JsonNode end = Bes.awaitEnd(service, running, Duration.ofSeconds(180));
        assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
        await().atMost(Duration.ofSeconds(60)).until(() -> Accounts.pool(account, pool).status() == 404);
        // a job for the deleted pool is refused
        assertThat(Http.post(service.url(""), service.apiKey(), Bes.request(SHORT, out("late"), pool)).status())
                .isIn(404, 409);
        assertThat(assignedJobs(pool)).containsExactly(running);
    }

    @Test
    void aVmCrashMidJobRetriesTheJobOnAnotherVmAndItsResultIsComplete() throws Exception {
        String pool = readyPool(1);
        String output = out("crash");
        String job = run(LONG, output, pool);
        Bes.awaitStatus(service, job, "Running", Duration.ofSeconds(60));
        system.service("vm-agent").kill();
        system.service("vm-agent").start();
        system.service("vm-agent").awaitReady(Duration.ofSeconds(90));
        JsonNode end = Bes.awaitEnd(service, job, Duration.ofSeconds(240));
        assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
        assertThat(end.path("Attempt").asInt()).as("the lost attempt is counted").isEqualTo(2);
        assertThat(end.path("RowsScored").asLong()).isEqualTo(LONG_ROWS);
        List<JobAssigned> attempts = new ArrayList<>();
        for (Envelope<JobEvent> e : Bes.jobEvents(pool)) {
            if (e.data() instanceof JobAssigned a) {
                attempts.add(a);
            } else if (e.data() instanceof JobRequeued r) {
                assertThat(r.nextAttempt()).isEqualTo(2);
            }
        }
        assertThat(attempts).extracting(JobAssigned::attempt).containsExactly(1, 2);
        assertThat(attempts.get(1).vmId()).as("another VM").isNotEqualTo(attempts.get(0).vmId());
        Bes.checkScored(Bes.download(end.path("Results").path("output1")), LONG_ROWS);
    }

    @Test
    void aDispatcherRestartMidQueueLosesNoJobAndStartsNoneTwice() throws Exception {
        String pool = readyPool(1);
        List<String> jobs = new ArrayList<>();
        jobs.add(run(LONG, out("restart-0"), pool));
        for (int i = 1; i < 6; i++) {
            jobs.add(run(SHORT, out("restart-" + i), pool));
        }
        Bes.awaitStatus(service, jobs.get(0), "Running", Duration.ofSeconds(60));
        system.crashAndRestart("job-dispatcher");
        for (String job : jobs) {
            JsonNode end = Bes.awaitEnd(service, job, Duration.ofSeconds(240));
            assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
            assertThat(end.path("Attempt").asInt()).isEqualTo(1);
        }
        BesJobsE2ETest.checkQueueLog(pool, jobs, 1, null);
    }
}
