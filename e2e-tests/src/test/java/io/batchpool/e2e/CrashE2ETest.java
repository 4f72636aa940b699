package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL pool-manager and billing-meter while pools are being resized (and the gateway right after it accepted
 * the last resizes), bring them back, and check that VM counts
 * converge to the last accepted targets and that billed time equals, to the millisecond, what the log of record
 * says: nothing lost, nothing counted twice.
 */
class CrashE2ETest {
    static BatchpoolSystem system;

    @BeforeAll
    static void up() {
        system = BatchpoolSystem.get();
    }

    @Test
    void crashes_during_resizes_lose_nothing_and_double_count_nothing() {
        Accounts.Account account = Accounts.create(system, 3, 4);
        List<String> pools = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pools.add(Accounts.createPool(account, 1, "plan-crash-" + i));
        }
        Random random = new Random(42);
        for (int round = 1; round <= 10; round++) {
            for (String pool : pools) {
                assertThat(Accounts.resize(account, pool, random.nextInt(4)).status()).isEqualTo(202);
            }
            switch (round) {
                case 2 -> system.service("pool-manager").kill();
                case 4 -> system.service("billing-meter").kill();
                case 6 -> {
                    system.service("pool-manager").start();
                    system.service("billing-meter").start();
                    system.service("pool-manager").awaitReady(Duration.ofSeconds(90));
                    system.service("billing-meter").awaitReady(Duration.ofSeconds(90));
                }
                case 8 -> system.crashAndRestart("pool-manager");
                case 9 -> system.crashAndRestart("billing-meter");
                default -> {
                }
            }
            ServiceProcess.sleep(250);
        }
        int[] targets = {2, 0, 3};
        for (int i = 0; i < pools.size(); i++) {
            assertThat(Accounts.resize(account, pools.get(i), targets[i]).status()).isEqualTo(202);
        }
        // the gateway dies right after answering: the accepted commands are in its outbox, relayed after restart
        system.crashAndRestart("api-gateway");

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (int i = 0; i < pools.size(); i++) {
                JsonNode pool = Accounts.pool(account, pools.get(i)).body();
                assertThat(pool.path("targetVms").asInt()).as(pool.toString()).isEqualTo(targets[i]);
                assertThat(pool.path("vmsReady").asInt()).as(pool.toString()).isEqualTo(targets[i]);
                assertThat(pool.path("vmsProvisioning").asInt() + pool.path("vmsDraining").asInt())
                        .as(pool.toString()).isZero();
            }
        });

        Set<String> poolIds = new HashSet<>(pools);
        List<Envelope<VmEvent>> log = VmEventLog.read(poolIds);
        Map<String, Integer> provisioned = new HashMap<>();
        Map<String, Integer> deleted = new HashMap<>();
        Map<String, Integer> requested = new HashMap<>();
        for (Envelope<VmEvent> e : log) {
            if (e.data() instanceof VmRequested r) {
                requested.merge(r.vmId(), 1, Integer::sum);
            } else if (e.data() instanceof VmProvisioned p) {
                provisioned.merge(p.vmId(), 1, Integer::sum);
            } else if (e.data() instanceof VmDeleted d) {
                deleted.merge(d.vmId(), 1, Integer::sum);
            }
        }
        assertThat(requested.values()).as("each VM requested once").allMatch(n -> n == 1);
        assertThat(provisioned.values()).as("each VM provisioned at most once").allMatch(n -> n == 1);
        assertThat(deleted.values()).as("each VM deleted at most once").allMatch(n -> n == 1);
        assertThat(requested.keySet()).containsAll(provisioned.keySet());

        Instant until = Instant.now();
        for (int i = 0; i < pools.size(); i++) {
            String pool = pools.get(i);
            List<Envelope<VmEvent>> poolLog = log.stream().filter(e -> e.aggregateId().equals(pool)).toList();
            long expected = VmEventLog.billedMillis(poolLog, until);
            int running = targets[i];
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Http.Response usage = Http.get(system.billing() + "/usage/pools/" + pool + "?from="
                        + until.minusSeconds(7200) + "&to=" + until, BatchpoolSystem.OPERATOR_KEY);
                assertThat(usage.status()).as(usage.raw()).isEqualTo(200);
                assertThat(usage.body().path("computeMillis").asLong()).as(usage.raw()).isEqualTo(expected);
                assertThat(usage.body().path("runningVms").asInt()).as(usage.raw()).isEqualTo(running);
            });
        }
    }
}
