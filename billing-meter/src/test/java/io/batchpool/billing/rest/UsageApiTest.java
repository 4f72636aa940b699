package io.batchpool.billing.rest;

import io.batchpool.billing.BillingTestSupport.Pool;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmRequested;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.batchpool.billing.BillingTestSupport.H;
import static io.batchpool.billing.BillingTestSupport.T0;
import static io.batchpool.billing.BillingTestSupport.at;
import static io.batchpool.billing.BillingTestSupport.awaitReady;
import static io.batchpool.billing.BillingTestSupport.id;
import static io.batchpool.billing.BillingTestSupport.operator;
import static io.batchpool.billing.BillingTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real envelopes on the shared broker in, VM-hours out of the usage API. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "batchpool_test_billing_meter"))
class UsageApiTest {

    @BeforeEach
    void ready() {
        awaitReady();
    }

    private static JsonPath usage(String scope, String id, Instant from, Instant to) {
        return operator().queryParam("from", from.toString()).queryParam("to", to.toString())
                .get("/usage/" + scope + "/" + id)
                .then().statusCode(200).contentType("application/json").extract().jsonPath();
    }

    private static void awaitPoolMillis(String poolId, Instant from, Instant to, long expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> usage("pools", poolId, from, to).getLong("computeMillis") == expected);
    }

    @Test
    void twoVmsFor24HoursAre48ComputeHoursOnPoolPlanAndAccount() {
        Pool pool = new Pool();
        pool.run(2, 0, 24);

        awaitPoolMillis(pool.poolId, at(0), at(24), 172_800_000L);

        for (String path : List.of("pools/" + pool.poolId, "plans/" + pool.planId, "accounts/" + pool.accountId)) {
            String body = operator().queryParam("from", at(0).toString()).queryParam("to", at(24).toString())
                    .get("/usage/" + path).then().statusCode(200).extract().asString();
            JsonPath json = new JsonPath(body);
            assertThat(json.getLong("computeMillis")).as(path).isEqualTo(172_800_000L);
            assertThat(body).as(path).contains("\"computeHours\":48.000");
            assertThat(json.getInt("vmCount")).as(path).isEqualTo(2);
            assertThat(json.getInt("runningVms")).as(path).isZero();
            assertThat(json.getString("from")).isEqualTo("2024-03-04T00:00:00Z");
            assertThat(json.getString("to")).isEqualTo("2024-03-05T00:00:00Z");
            List<Map<String, Object>> hourly = json.getList("hourly");
            assertThat(hourly).hasSize(24);
            assertThat(hourly).allSatisfy(h -> assertThat(((Number) h.get("computeMillis")).longValue())
                    .isEqualTo(2 * H));
            assertThat(hourly.get(0).get("hour")).isEqualTo("2024-03-04T00:00:00Z");
            assertThat(hourly.get(23).get("hour")).isEqualTo("2024-03-04T23:00:00Z");
        }
        assertThat(usage("pools", pool.poolId, at(0), at(24)).getString("scope")).isEqualTo("pool");
        assertThat(usage("plans", pool.planId, at(0), at(24)).getString("scope")).isEqualTo("plan");
        assertThat(usage("accounts", pool.accountId, at(0), at(24)).getString("id")).isEqualTo(pool.accountId);

        // default range: from the first VM's provisioning until now
        JsonPath byDefault = operator().queryParam("hourly", "false").get("/usage/pools/" + pool.poolId)
                .then().statusCode(200).extract().jsonPath();
        assertThat(byDefault.getLong("computeMillis")).isEqualTo(172_800_000L);
        assertThat(byDefault.getString("from")).isEqualTo(T0.toString());
        assertThat(Instant.parse(byDefault.getString("to"))).isAfter(Instant.now().minusSeconds(60));
        assertThat(byDefault.getList("hourly")).isNull();
    }

    @Test
    void fourVmsFor12HoursAre48ComputeHoursAndAccountsAddUpTheirPools() {
        String account = id();
        String plan = id();
        Pool big = new Pool(account, plan);
        Pool small = new Pool(account, plan);
        big.run(4, 0, 12);
        small.run(1, 3, 4);

        awaitPoolMillis(big.poolId, at(0), at(24), 48 * H);
        awaitPoolMillis(small.poolId, at(0), at(24), H);

        assertThat(usage("accounts", account, at(0), at(24)).getLong("computeMillis")).isEqualTo(49 * H);
        assertThat(usage("plans", plan, at(0), at(24)).getLong("computeMillis")).isEqualTo(49 * H);
        assertThat(usage("accounts", account, at(0), at(24)).getInt("vmCount")).isEqualTo(5);
        // a range that clips the intervals: hours 10..14 hold 2 h of the 4 VMs
        assertThat(usage("pools", big.poolId, at(10), at(14)).getLong("computeMillis")).isEqualTo(8 * H);
    }

    @Test
    void resizeToZeroThenRegrowBillsOnlyProvisionedTime() {
        Pool pool = new Pool();
        String a = id();
        String b = id();
        pool.publish(new VmRequested(pool.poolId, a, pool.accountId, pool.planId, 1));
        pool.publish(new VmRequested(pool.poolId, b, pool.accountId, pool.planId, 1));
        pool.publish(pool.provisioned(a, 0));
        pool.publish(pool.provisioned(b, 0));
        // resize to 0: a is idle and goes, b drains first (billed until deleted)
        pool.publish(pool.deleted(a, 6, true));
        pool.publish(new VmDrainStarted(pool.poolId, b));
        pool.publish(pool.deleted(b, 6, true));
        // a VM requested and deleted before it was ever provisioned is never billed
        String neverUp = id();
        pool.publish(new VmRequested(pool.poolId, neverUp, pool.accountId, pool.planId, 1));
        pool.publish(pool.deleted(neverUp, 8, false));
        // re-grow to 3 at hour 10, delete the pool at hour 14
        pool.run(3, 10, 14);

        awaitPoolMillis(pool.poolId, at(0), at(16), 24 * H);

        JsonPath json = usage("pools", pool.poolId, at(0), at(16));
        assertThat(json.getInt("vmCount")).isEqualTo(5);
        assertThat(json.getList("hourly.computeMillis", Long.class)).containsExactly(
                2 * H, 2 * H, 2 * H, 2 * H, 2 * H, 2 * H, 0L, 0L, 0L, 0L, 3 * H, 3 * H, 3 * H, 3 * H, 0L, 0L);
        JsonPath vms = operator().get("/usage/pools/" + pool.poolId + "/vms").then().statusCode(200)
                .extract().jsonPath();
        assertThat(vms.getList("vms.vmId", String.class)).hasSize(5).contains(a, b).doesNotContain(neverUp);
    }

    @Test
    void duplicateAndRedeliveredEventsChangeNothing() {
        Pool pool = new Pool();
        String vm = id();
        Envelope<VmEvent> up = pool.envelope(pool.provisioned(vm, 0));
        Envelope<VmEvent> down = pool.envelope(pool.deleted(vm, 24, true));
        publish(up);
        publish(up); // same event id twice
        publish(down);
        publish(down);
        publish(up); // a late redelivery of the provisioning must not reopen the VM
        // the same facts re-sent under new event ids, with times that would change the bill if applied
        pool.publish(pool.provisioned(vm, 2));
        pool.publish(new VmDeleted(pool.poolId, vm, pool.accountId, pool.planId, at(40),
                VmDeletionReason.POOL_DELETED, true));
        // a marker VM after the duplicates on the same partition: once it is billed, the duplicates were applied
        String marker = id();
        pool.publish(pool.provisioned(marker, 48));
        pool.publish(pool.deleted(marker, 49, true));

        awaitPoolMillis(pool.poolId, at(0), at(72), 25 * H);

        JsonPath vms = operator().get("/usage/pools/" + pool.poolId + "/vms").then().statusCode(200)
                .extract().jsonPath();
        assertThat(vms.getList("vms")).hasSize(2);
        assertThat(vms.getString("vms[0].vmId")).isEqualTo(vm);
        assertThat(vms.getString("vms[0].provisionedAt")).isEqualTo(at(0).toString());
        assertThat(vms.getString("vms[0].deletedAt")).isEqualTo(at(24).toString());
        assertThat(vms.getLong("vms[0].computeMillis")).isEqualTo(24 * H);
    }

    @Test
    void openIntervalsCountUpToNowAndShowAsRunning() {
        Pool pool = new Pool();
        String vm = id();
        pool.publish(pool.provisioned(vm, 0));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> usage("pools", pool.poolId, at(0), at(5)).getLong("computeMillis") == 5 * H);

        assertThat(usage("pools", pool.poolId, at(0), at(5)).getInt("runningVms")).isEqualTo(1);
        long before = Instant.now().toEpochMilli() - T0.toEpochMilli();
        JsonPath now = operator().queryParam("hourly", "false").get("/usage/pools/" + pool.poolId)
                .then().statusCode(200).extract().jsonPath();
        long after = Instant.now().toEpochMilli() - T0.toEpochMilli();
        assertThat(now.getLong("computeMillis")).isBetween(before, after);
        assertThat(now.getInt("runningVms")).isEqualTo(1);

        JsonPath vms = operator().get("/usage/pools/" + pool.poolId + "/vms").then().statusCode(200)
                .extract().jsonPath();
        assertThat(vms.getString("poolId")).isEqualTo(pool.poolId);
        assertThat(vms.getMap("vms[0]")).containsEntry("deletedAt", null);
        assertThat(vms.getLong("vms[0].computeMillis")).isGreaterThanOrEqualTo(before);
    }

    @Test
    void aPoolThatNeverRanAVmHasZeroUsage() {
        String unknown = id();
        JsonPath json = operator().get("/usage/pools/" + unknown).then().statusCode(200).extract().jsonPath();
        assertThat(json.getLong("computeMillis")).isZero();
        assertThat(json.getInt("vmCount")).isZero();
        assertThat(json.getList("hourly")).isEmpty();
        assertThat(usage("accounts", unknown, at(0), at(24)).getList("hourly")).hasSize(24);
        assertThat(operator().get("/usage/pools/" + unknown + "/vms").then().statusCode(200).extract().jsonPath()
                .getList("vms")).isEmpty();
    }
}
