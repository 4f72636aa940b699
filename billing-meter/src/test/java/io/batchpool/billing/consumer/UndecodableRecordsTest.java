package io.batchpool.billing.consumer;

import io.batchpool.billing.BillingTestSupport.Pool;
import io.batchpool.kit.SkippedRecords;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.batchpool.billing.BillingTestSupport.H;
import static io.batchpool.billing.BillingTestSupport.at;
import static io.batchpool.billing.BillingTestSupport.awaitReady;
import static io.batchpool.billing.BillingTestSupport.operator;
import static io.batchpool.billing.BillingTestSupport.publishRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Undecodable records are counted and skipped without blocking the records behind them. This is the one test that
 * puts such records on the topic on purpose, so it asserts the exact increase it caused; by design the counter
 * otherwise stays at zero (the other tests would see any other increase in the metric).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "batchpool_test_billing_meter"))
class UndecodableRecordsTest {
    private static final Pattern GAUGE = Pattern.compile("(?m)^batchpool_records_skipped(\\{[^}]*})? ([0-9.eE+-]+)$");

    @Inject
    SkippedRecords skipped;

    private static double gauge() {
        Matcher m = GAUGE.matcher(RestAssured.given().header("Authorization", "Bearer operator-dev-key").get("/q/metrics").asString());
        assertThat(m.find()).as("gauge batchpool_records_skipped in /q/metrics").isTrue();
        return Double.parseDouble(m.group(2));
    }

    @Test
    void undecodableRecordsAreCountedAndSkippedWithoutBlockingLaterOnes() {
        awaitReady(); // whatever the shared topic held before is counted by now
        long before = skipped.count();
        assertThat(gauge()).isEqualTo((double) before);
        Pool pool = new Pool();

        // same key, so the same partition as the pool's valid events that follow
        publishRaw(pool.poolId, "not json at all".getBytes(StandardCharsets.UTF_8));
        publishRaw(pool.poolId, ("{\"type\":\"VmTeleported\",\"schemaVersion\":1,\"eventId\":\"e\","
                + "\"aggregateId\":\"" + pool.poolId + "\",\"sequence\":1,\"occurredAt\":\"2024-03-04T00:00:00Z\","
                + "\"data\":{}}").getBytes(StandardCharsets.UTF_8));
        publishRaw(pool.poolId, null); // a tombstone
        pool.run(1, 0, 2);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> operator().queryParam("from", at(0).toString()).queryParam("to", at(24).toString())
                        .get("/usage/pools/" + pool.poolId).jsonPath().getLong("computeMillis") == 2 * H);
        assertThat(skipped.count() - before).isEqualTo(3);
        assertThat(gauge()).isEqualTo((double) before + 3);
    }
}
