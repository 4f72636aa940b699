package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.scoring.fixtures.AdultCensusData;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.testkit.ProjectRoot;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code bin/run} supervises the system it starts and keeps its data: (1) each service SIGKILLed with jobs in flight
 * comes back by itself and every acknowledged job finishes exactly once; (2) a stopped and restarted {@code bin/run}
 * shows the accounts, pools, jobs and usage as they were, and its pool gets its VMs back; (3) {@code bin/run --reset}
 * starts an empty system. The tests run in order on one run directory. Recovery times are printed: per killed
 * service, from the SIGKILL to its answering again (ready), to its jobs in flight being done, to a job submitted once it
 * answered being done, and to its pool having its VMs ready.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunCommandSupervisionTest {
    static final int ROWS = 2_000;
    static final int JOBS_PER_KILL = 4;
    /** Quick liveness so that a killed vm-agent's VMs are replaced in seconds; bin/run passes these through. */
    static final Map<String, String> ENV = RunCommand.env("BATCHPOOL_VM_BOOT_DELAY", "PT0S",
            "BATCHPOOL_GATEWAY_DB", "batchpool_supervise_gateway", "BATCHPOOL_BILLING_DB", "batchpool_supervise_billing",
            "BATCHPOOL_POOL_MANAGER_HEARTBEAT_TIMEOUT", "PT3S", "BATCHPOOL_POOL_MANAGER_TICK_INTERVAL", "PT0.2S",
            "BATCHPOOL_VM_AGENT_HEARTBEAT_INTERVAL", "PT0.3S", "BATCHPOOL_VM_AGENT_SESSION_TIMEOUT", "PT6S");
    static final String BOOTSTRAP = "127.0.0.1:" + RunCommand.KAFKA_PORT;

    static Path runDir;
    static RunCommand run;
    static String accountId;
    static String key;
    static String pools;
    static String poolId;
    static Bes.Service bes;
    static final List<String> jobs = new ArrayList<>();
    static final Map<String, String> outputs = new HashMap<>();
    static final Map<String, Long> recovery = new LinkedHashMap<>();
    static long started;

    @BeforeAll
    static void startFromAResetSystem() throws Exception {
        started = System.nanoTime();
        runDir = ProjectRoot.find().resolve("e2e-tests/target/run-supervise");
        run = RunCommand.start(runDir, ENV, "--reset");
    }

    @AfterAll
    static void stop() throws Exception {
        if (run != null) {
            run.close();
        }
        System.out.printf("RunCommandSupervisionTest: %d s in all; recovery after SIGKILL, ms since the kill:%n",
                (System.nanoTime() - started) / 1_000_000_000);
        recovery.forEach((part, ms) -> System.out.printf("  %-70s %7d%n", part, ms));
    }

    @Test
    @Order(1)
    void everyServiceKilledWithJobsInFlightComesBackByItselfAndEveryAcknowledgedJobFinishesOnce() throws Exception {
        Http.Response account = Http.post(RunCommand.gateway() + "/operator/accounts", RunCommand.OPERATOR_KEY,
                Map.of("name", "supervised", "maxPools", 1, "maxVmsPerPool", 2));
        assertThat(account.status()).as(account.raw()).isEqualTo(201);
        accountId = account.text("accountId");
        key = account.text("authorizationKey");
        pools = account.text("poolServiceUrl") + "/pools";
        Http.Response pool = Http.post(pools, key, Map.of("vmCount", 2, "billingPlanId", "supervised-plan"));
        assertThat(pool.status()).as(pool.raw()).isEqualTo(201);
        poolId = pool.text("poolId");
        awaitVmsReady(2);
        Http.Response service = Http.post(account.text("poolServiceUrl") + "/services", key, Map.of("name", "census",
                "kind", "classic", "model", Base64.getEncoder().encodeToString(
                        AdultCensusModel.build(AdultCensusModel.Variant.ZIPMAP))));
        assertThat(service.status()).as(service.raw()).isEqualTo(201);
        bes = new Bes.Service(service.text("serviceId"), service.text("batchRequestsUrl"), service.text("primaryKey"),
                service.text("swaggerUrl"));
        Path files = runDir.resolve("files").resolve(accountId); // local files live in the account's own directory
        Files.createDirectories(files.resolve("in"));
        AdultCensusData.writeCsv(files.resolve("in/adult.csv"), ROWS);

        for (String name : RunCommand.SERVICES) {
            killWithJobsInFlight(name, run.service(name), () -> RunCommand.ready(name));
            assertThat(run.output()).contains(name + " exited (status 137); restarting it");
        }
        // the broker too: bin/run starts it again on its log, the services ride the outage out, no VM is lost
        List<String> vmsBefore = vmIds();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP, "request.timeout.ms", 1000,
                "default.api.timeout.ms", 2000))) {
            killWithJobsInFlight("kafka broker", ProcessHandle.of(Long.parseLong(Files.readString(
                    runDir.resolve("kafka/broker.pid")).trim())).orElseThrow(), () -> answers(admin));
        }
        assertThat(run.output()).contains("the Kafka broker exited; restarting it");
        assertThat(vmIds()).as("no VM declared lost over the broker's restart").containsAll(vmsBefore);
        Map<String, Long> finished = Bes.jobEvents(BOOTSTRAP, poolId).stream().map(Envelope::data)
                .filter(JobFinished.class::isInstance).collect(Collectors.groupingBy(JobEvent::jobId,
                        Collectors.counting()));
        assertThat(finished).as("every acknowledged job finished exactly once")
                .containsExactlyInAnyOrderEntriesOf(jobs.stream().collect(Collectors.toMap(j -> j, j -> 1L)));
        for (String job : jobs) {
            Bes.checkScored(Bes.download(Bes.status(bes, job).path("Results").path("output1")), ROWS);
        }
    }

    @Test
    @Order(2)
    void aRestartedRunFindsAccountsPoolsJobsAndUsageAsTheyWere() throws Exception {
        assertThat(poolId).as("the first test ran").isNotNull();
        // usage up to a moment while the VMs surely ran: what the VM event log bills, before and after the restart
        Instant until = Instant.now().minusSeconds(2);
        long billed = VmEventLog.billedMillis(VmEventLog.read(BOOTSTRAP, Set.of(poolId)), until);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(usage(until).path("computeMillis").asLong()).isEqualTo(billed));
        JsonNode accounts = Http.get(RunCommand.gateway() + "/operator/accounts", RunCommand.OPERATOR_KEY).body();
        JsonNode pool = Http.get(pools + "/" + poolId, key).body();
        Map<String, JsonNode> statuses = new LinkedHashMap<>();
        for (String job : jobs) {
            statuses.put(job, withoutLinks(Bes.status(bes, job)));
        }

        List<String> vmsBefore = vmIds();
        assertThat(vmsBefore).hasSize(2);
        run.close();
        keepLogs("1-kills");
        Instant stopped = Instant.now();
        assertThat(RunCommand.ready("api-gateway")).isFalse();
        long restart = System.nanoTime();
        run = RunCommand.start(runDir, ENV);
        System.out.printf("bin/run restarted on its data in %d ms%n", run.startupMillis);

        assertThat(Http.get(RunCommand.gateway() + "/operator/accounts", RunCommand.OPERATOR_KEY).body())
                .isEqualTo(accounts);
        JsonNode after = Http.get(pools + "/" + poolId, key).body();
        for (String field : List.of("poolId", "state", "targetVms", "billingPlanId", "slotsPerVm", "version", "createdAt")) {
            assertThat(after.path(field)).as(field).isEqualTo(pool.path(field));
        }
        for (String job : jobs) {
            assertThat(withoutLinks(Bes.status(bes, job))).as(job).isEqualTo(statuses.get(job));
        }
        Bes.checkScored(Bes.download(Bes.status(bes, jobs.get(0)).path("Results").path("output1")), ROWS);
        assertThat(usage(until).path("computeMillis").asLong()).as("usage up to before the stop").isEqualTo(billed);
        // the VMs died with the run: pool-manager replaces them and the pool works again
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(vmIds()).as("new VMs replace those that died with the run").hasSize(2)
                        .doesNotContainAnyElementsOf(vmsBefore));
        VmEventLog.read(BOOTSTRAP, Set.of(poolId)).stream().map(Envelope::data)
                .filter(e -> e instanceof VmDeleted d && vmsBefore.contains(d.vmId())).forEach(e -> assertThat(
                        ((VmDeleted) e).deletedAt()).as("billed up to its last heartbeat, not the restart").isBefore(stopped));
        awaitVmsReady(2);
        String job = submitAndStart("after-restart");
        assertThat(Bes.awaitEnd(bes, job, Duration.ofSeconds(120)).path("StatusCode").asText()).isEqualTo("Finished");
        recovery.put("whole run restarted (pool whole, a new job finished)", (System.nanoTime() - restart) / 1_000_000);
    }

    @Test
    @Order(3)
    void resetStartsAnEmptySystem() throws Exception {
        assertThat(poolId).as("the first test ran").isNotNull();
        run.close();
        // (not asserted: SIGKILLed services may leave their successors something to say; the smoke test asserts none)
        RunCommand.errorLines(runDir).forEach(l -> System.out.println("ERROR line of the supervised run: " + l));
        keepLogs("2-restart");
        run = RunCommand.start(runDir, ENV, "--reset");
        JsonNode accounts = Http.get(RunCommand.gateway() + "/operator/accounts", RunCommand.OPERATOR_KEY).body();
        List<String> ids = new ArrayList<>();
        accounts.forEach(a -> ids.add(a.path("accountId").asText()));
        assertThat(ids).as("only the system account of the classic pool").doesNotContain(accountId).hasSizeLessThan(2);
        assertThat(Http.get(pools + "/" + poolId, key).status()).as("the old key is unknown").isIn(401, 403, 404);
        assertThat(Bes.jobEvents(BOOTSTRAP, poolId)).as("the Kafka log starts empty").isEmpty();
        assertThat(VmEventLog.read(BOOTSTRAP, Set.of(poolId))).isEmpty();
        Http.Response usage = Http.get("http://127.0.0.1:" + RunCommand.port("billing-meter") + "/usage/accounts/"
                + accountId, RunCommand.OPERATOR_KEY);
        assertThat(usage.status() == 404 || usage.body().path("computeMillis").asLong() == 0).as(usage.raw()).isTrue();
        assertThat(runDir.resolve("files").resolve(accountId)).doesNotExist();
    }

    /**
     * Submits {@link #JOBS_PER_KILL} jobs, SIGKILLs {@code victim} and records, from the kill: when {@code answers},
     * when the jobs in flight finished, when a job submitted once it answered finished, and when the pool had its
     * VMs ready again. Every job must finish.
     */
    static void killWithJobsInFlight(String part, ProcessHandle victim, java.util.function.BooleanSupplier answers)
            throws Exception {
        String tag = part.replace(' ', '-');
        List<String> inFlight = new ArrayList<>();
        for (int i = 0; i < JOBS_PER_KILL; i++) {
            inFlight.add(submitAndStart(tag + "-" + i));
        }
        victim.destroyForcibly(); // SIGKILL
        victim.onExit().get(30, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(answers::getAsBoolean); // the killed one is gone: a new one answers
        long ready = (System.nanoTime() - killed) / 1_000_000;
        String next = submitAndStart(tag + "-next"); // queued behind the jobs in flight
        for (String job : inFlight) {
            JsonNode end = Bes.awaitEnd(bes, job, Duration.ofSeconds(120));
            assertThat(end.path("StatusCode").asText()).as("%s after %s was killed: %s", job, part, end)
                    .isEqualTo("Finished");
        }
        long inFlightDone = (System.nanoTime() - killed) / 1_000_000;
        JsonNode nextEnd = Bes.awaitEnd(bes, next, Duration.ofSeconds(120));
        assertThat(nextEnd.path("StatusCode").asText()).as("%s, submitted once %s answered: %s", next, part, nextEnd)
                .isEqualTo("Finished");
        long nextDone = (System.nanoTime() - killed) / 1_000_000;
        awaitVmsReady(2);
        long converged = (System.nanoTime() - killed) / 1_000_000;
        recovery.put(part + " answers", ready);
        recovery.put(part + ": its jobs in flight done", inFlightDone);
        recovery.put(part + ": a job submitted once it answered done", nextDone);
        recovery.put(part + ": pool whole", converged);
    }

    /** Whether the broker answers a metadata request. */
    static boolean answers(Admin admin) {
        try {
            return !admin.listTopics().names().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** Copies the services' logs aside (the next bin/run starts them afresh) for a look after the test. */
    static void keepLogs(String phase) throws java.io.IOException {
        Path to = runDir.resolveSibling("run-supervise-logs").resolve(phase);
        Files.createDirectories(to);
        try (var logs = Files.list(runDir.resolve("logs"))) {
            for (Path log : logs.toList()) {
                Files.copy(log, to.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static String submitAndStart(String name) {
        Map<String, Object> in = new HashMap<>(Map.of("ConnectionString", "UseLocalFiles=true",
                "RelativeLocation", "in/adult.csv"));
        String output = "out/" + name + ".csv";
        Map<String, Object> out = new HashMap<>(Map.of("ConnectionString", "UseLocalFiles=true",
                "RelativeLocation", output));
        String job = Bes.submit(bes, Map.of("Inputs", Map.of("input1", in), "Outputs", Map.of("output1", out),
                "GlobalParameters", Map.of(), "AzureBatchPoolId", poolId));
        Bes.start(bes, job);
        jobs.add(job);
        outputs.put(job, output);
        return job;
    }

    static void awaitVmsReady(int vms) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode p = Http.get(pools + "/" + poolId, key).body();
            assertThat(p.path("vmsReady").asInt()).as(p.toString()).isEqualTo(vms);
            assertThat(p.path("vmsProvisioning").asInt() + p.path("vmsDraining").asInt()).as(p.toString()).isZero();
        });
    }

    static JsonNode usage(Instant to) {
        Http.Response r = Http.get("http://127.0.0.1:" + RunCommand.port("billing-meter") + "/usage/pools/" + poolId
                + "?to=" + to, RunCommand.OPERATOR_KEY);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body();
    }

    /** The VMs of the pool that the log shows provisioned and not deleted. */
    static List<String> vmIds() {
        List<Envelope<VmEvent>> log = VmEventLog.read(BOOTSTRAP, Set.of(poolId));
        List<String> live = new ArrayList<>();
        for (Envelope<VmEvent> e : log) {
            if (e.data() instanceof io.batchpool.contracts.vm.VmProvisioned p) {
                live.add(p.vmId());
            } else if (e.data() instanceof VmDeleted d) {
                live.remove(d.vmId());
            }
        }
        return live;
    }

    /** A status without its download links' signatures, which are made afresh at every request. */
    static JsonNode withoutLinks(JsonNode status) {
        ObjectNode copy = status.deepCopy();
        copy.path("Results").forEach(r -> ((ObjectNode) r).remove("SasBlobToken"));
        return copy;
    }
}
