package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.testkit.ProjectRoot;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's run command on its embedded defaults (its own broker, the local PostgreSQL, all services, local
 * VMs with zero boot delay), used as a new user would with curl: account, 2-VM pool, ready, resize to 0, billed
 * time. Runs on its own ports so that it does not meet the other end-to-end tests' system. Its services log no ERROR.
 */
class RunCommandSmokeTest {
    static final int BASE = RunCommand.BASE;

    @Test
    void bin_run_starts_the_whole_system_and_a_user_can_run_a_pool_and_a_job_on_local_files() throws Exception {
        Path root = ProjectRoot.find();
        Path runDir = root.resolve("e2e-tests/target/run-smoke");
        // --reset: the run directory and the databases may hold an earlier run's data, which bin/run keeps
        RunCommand run = RunCommand.start(runDir, RunCommand.env("BATCHPOOL_VM_BOOT_DELAY", "PT0S",
                "BATCHPOOL_GATEWAY_DB", "batchpool_smoke_gateway", "BATCHPOOL_BILLING_DB", "batchpool_smoke_billing"),
                "--reset");
        try {
            System.out.printf("bin/run: whole system up in %d ms%n", run.startupMillis);
            assertThat(run.output()).contains("api-gateway     http://127.0.0.1:" + BASE)
                    .contains("billing-meter   http://127.0.0.1:" + (BASE + 3));
            String gateway = "http://127.0.0.1:" + BASE;
            Http.Response account = Http.post(gateway + "/operator/accounts", "operator-dev-key",
                    Map.of("name", "smoke", "maxPools", 2, "maxVmsPerPool", 2));
            assertThat(account.status()).as(account.raw()).isEqualTo(201);
            String pools = account.text("poolServiceUrl") + "/pools";
            String key = account.text("authorizationKey");
            long t0 = System.nanoTime();
            Http.Response pool = Http.post(pools, key, Map.of("vmCount", 2, "billingPlanId", "smoke-plan"));
            assertThat(pool.status()).as(pool.raw()).isEqualTo(201);
            String poolId = pool.text("poolId");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                    assertThat(Http.get(pools + "/" + poolId, key).body().path("vmsReady").asInt()).isEqualTo(2));
            System.out.printf("first pool after start-up: create request to 2 VMs ready (boot delay 0): %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            long t1 = System.nanoTime();
            Http.Response second = Http.post(pools, key, Map.of("vmCount", 2, "billingPlanId", "smoke-plan"));
            assertThat(second.status()).as(second.raw()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                    assertThat(Http.get(pools + "/" + second.text("poolId"), key).body().path("vmsReady").asInt()).isEqualTo(2));
            System.out.printf("warm system: create request to 2 VMs ready (boot delay 0): %d ms%n",
                    (System.nanoTime() - t1) / 1_000_000);
            // a BES job on the embedded default's local files: model from the registry, input from the account's
            // directory run/files/<accountId>
            Path files = root.resolve("e2e-tests/target/run-smoke/files").resolve(account.text("accountId"));
            java.nio.file.Files.createDirectories(files.resolve("in"));
            io.batchpool.scoring.fixtures.AdultCensusData.writeCsv(files.resolve("in/adult.csv"), 300);
            Http.Response service = Http.post(account.text("poolServiceUrl") + "/services", key, Map.of("name", "smoke",
                    "kind", "classic", "model", java.util.Base64.getEncoder().encodeToString(
                            io.batchpool.scoring.fixtures.AdultCensusModel.build(
                                    io.batchpool.scoring.fixtures.AdultCensusModel.Variant.ZIPMAP))));
            assertThat(service.status()).as(service.raw()).isEqualTo(201);
            Bes.Service bes = new Bes.Service(service.text("serviceId"), service.text("batchRequestsUrl"),
                    service.text("primaryKey"), service.text("swaggerUrl"));
            Map<String, Object> in = new java.util.HashMap<>(Map.of("ConnectionString", "UseLocalFiles=true",
                    "RelativeLocation", "in/adult.csv"));
            Map<String, Object> out = new java.util.HashMap<>(Map.of("ConnectionString", "UseLocalFiles=true",
                    "RelativeLocation", "/out/scored.csv"));
            String job = Bes.submit(bes, Map.of("Inputs", Map.of("input1", in), "Outputs", Map.of("output1", out),
                    "GlobalParameters", Map.of(), "AzureBatchPoolId", poolId));
            Bes.start(bes, job);
            JsonNode end = Bes.awaitEnd(bes, job, Duration.ofSeconds(120));
            assertThat(end.path("StatusCode").asText()).as(end.toString()).isEqualTo("Finished");
            Bes.checkScored(Bes.download(end.path("Results").path("output1")), 300);
            assertThat(Http.post(pools + "/" + poolId + "/resize", key, Map.of("vmCount", 0)).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode p = Http.get(pools + "/" + poolId, key).body();
                assertThat(p.path("vmsReady").asInt() + p.path("vmsDraining").asInt()).as(p.toString()).isZero();
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Http.Response usage = Http.get("http://127.0.0.1:" + (BASE + 3) + "/usage/pools/" + poolId + "?to="
                        + Instant.now(), "operator-dev-key");
                assertThat(usage.status()).as(usage.raw()).isEqualTo(200);
                assertThat(usage.body().path("computeMillis").asLong()).isPositive();
                assertThat(usage.body().path("vmCount").asInt()).isEqualTo(2);
                assertThat(usage.body().path("runningVms").asInt()).isZero();
            });
        } finally {
            run.close(); // SIGTERM: bin/run's trap stops every service and the broker
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(portOpen(BASE)).as("gateway stopped with bin/run").isFalse());
        // an ERROR line in a log is a bug: a normal run, started, used and stopped, logs none
        assertThat(RunCommand.errorLines(runDir)).isEmpty();
    }

    static boolean portOpen(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
