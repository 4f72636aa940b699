package io.batchpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A user's first session, across the real services on the real broker and PostgreSQL. */
class PoolLifecycleE2ETest {
    static BatchpoolSystem system;

    @BeforeAll
    static void up() {
        system = BatchpoolSystem.get();
    }

    @Test
    void create_a_two_vm_pool_watch_it_become_ready_resize_to_zero_and_read_the_billed_time() {
        Accounts.Account account = Accounts.create(system, 2, 4);
        long t0 = System.nanoTime();
        String poolId = Accounts.createPool(account, 2, "plan-e2e-" + account.id().substring(0, 6));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonNode pool = Accounts.pool(account, poolId).body();
            assertThat(pool.path("vmsReady").asInt()).as(pool.toString()).isEqualTo(2);
        });
        System.out.printf("pool create request to 2 VMs ready (boot delay 0.3 s): %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        JsonNode ready = Accounts.pool(account, poolId).body();
        assertThat(ready.path("state").asText()).isEqualTo("Active");
        assertThat(ready.path("targetVms").asInt()).isEqualTo(2);

        assertThat(Accounts.resize(account, poolId, 0).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode pool = Accounts.pool(account, poolId).body();
            assertThat(pool.path("targetVms").asInt()).isZero();
            assertThat(pool.path("vmsReady").asInt() + pool.path("vmsProvisioning").asInt()
                    + pool.path("vmsDraining").asInt()).as(pool.toString()).isZero();
        });

        List<Envelope<VmEvent>> log = VmEventLog.read(Set.of(poolId));
        assertThat(log.stream().filter(e -> e.data() instanceof VmProvisioned)).hasSize(2);
        assertThat(log.stream().filter(e -> e.data() instanceof VmDeleted d && d.wasProvisioned()
                && d.reason() == VmDeletionReason.SCALED_DOWN)).hasSize(2);
        Instant until = Instant.now(); // after every event: billing clamps open intervals to min(now, to)
        long expected = VmEventLog.billedMillis(log, until);
        assertThat(expected).isPositive();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Http.Response usage = Http.get(system.billing() + "/usage/pools/" + poolId + "?from="
                    + until.minusSeconds(7200) + "&to=" + until, BatchpoolSystem.OPERATOR_KEY);
            assertThat(usage.status()).as(usage.raw()).isEqualTo(200);
            assertThat(usage.body().path("computeMillis").asLong()).as(usage.raw()).isEqualTo(expected);
            assertThat(usage.body().path("runningVms").asInt()).isZero();
        });
        Http.Response account_ = Http.get(system.billing() + "/usage/accounts/" + account.id() + "?from="
                + until.minusSeconds(7200) + "&to=" + until, BatchpoolSystem.OPERATOR_KEY);
        assertThat(account_.body().path("computeMillis").asLong()).as("the account's only pool").isEqualTo(expected);
    }

    @Test
    void quotas_are_enforced_synchronously_and_a_rejection_changes_nothing() {
        Accounts.Account account = Accounts.create(system, 1, 3);
        Http.Response tooBig = Http.post(account.poolsUrl(), account.key(), Map.of("vmCount", 4, "billingPlanId", "p"));
        assertThat(tooBig.status()).isEqualTo(403);
        assertThat(tooBig.body().path("error").path("code").asText()).isEqualTo("QuotaExceeded");
        String poolId = Accounts.createPool(account, 0, "p");
        Http.Response second = Http.post(account.poolsUrl(), account.key(), Map.of("vmCount", 1, "billingPlanId", "p"));
        assertThat(second.status()).isEqualTo(403);
        assertThat(second.body().path("error").path("code").asText()).isEqualTo("QuotaExceeded");
        Http.Response resize = Accounts.resize(account, poolId, 4);
        assertThat(resize.status()).isEqualTo(403);
        Http.Response list = Http.get(account.poolsUrl(), account.key());
        assertThat(list.body().toString()).contains(poolId);
        assertThat(Accounts.pool(account, poolId).body().path("targetVms").asInt()).isZero();

        Accounts.Account other = Accounts.create(system, 1, 1);
        Http.Response foreign = Http.get(other.poolsUrl() + "/" + poolId, other.key());
        assertThat(foreign.status()).as("another account's pool looks like not found").isEqualTo(404);
        Http.Response noKey = Http.get(account.poolsUrl(), null);
        assertThat(noKey.status()).isEqualTo(401);
        assertThat(noKey.body().path("error").path("code").asText()).isNotBlank();
    }
}
