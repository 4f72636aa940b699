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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Kill the process that hosts the VMs: they are declared lost as of their last heartbeat and replaced. */
class VmLossE2ETest {
    static BatchpoolSystem system;

    @BeforeAll
    static void up() {
        system = BatchpoolSystem.get();
    }

    @Test
    void vms_of_a_killed_agent_are_lost_as_of_their_last_heartbeat_and_replaced() {
        Accounts.Account account = Accounts.create(system, 1, 4);
        String poolId = Accounts.createPool(account, 2, "plan-loss");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(Accounts.pool(account, poolId).body().path("vmsReady").asInt()).isEqualTo(2));
        Set<String> before = provisionedVms(poolId);
        assertThat(before).hasSize(2);

        system.service("vm-agent").kill();
        Instant killedAt = Instant.now();
        system.service("vm-agent").start();
        system.service("vm-agent").awaitReady(Duration.ofSeconds(90));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Envelope<VmEvent>> log = VmEventLog.read(Set.of(poolId));
            Map<String, VmDeleted> lost = log.stream().map(Envelope::data)
                    .filter(e -> e instanceof VmDeleted d && d.reason() == VmDeletionReason.LOST)
                    .map(VmDeleted.class::cast).collect(Collectors.toMap(VmDeleted::vmId, d -> d));
            assertThat(lost.keySet()).containsAll(before);
            for (String vm : before) {
                assertThat(lost.get(vm).deletedAt()).as("billing stops at the last heartbeat, before the kill")
                        .isBeforeOrEqualTo(killedAt);
                assertThat(lost.get(vm).deletedAt()).isAfter(killedAt.minusSeconds(3));
            }
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode pool = Accounts.pool(account, poolId).body();
            assertThat(pool.path("vmsReady").asInt()).as(pool.toString()).isEqualTo(2);
            Set<String> now = provisionedVms(poolId);
            now.removeAll(before);
            assertThat(now).as("replacement VMs").hasSize(2);
        });
    }

    static Set<String> provisionedVms(String poolId) {
        return VmEventLog.read(Set.of(poolId)).stream().map(Envelope::data)
                .filter(e -> e instanceof VmProvisioned).map(VmEvent::vmId)
                .collect(Collectors.toCollection(HashSet::new));
    }
}
