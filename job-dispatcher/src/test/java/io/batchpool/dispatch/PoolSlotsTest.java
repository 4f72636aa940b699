package io.batchpool.dispatch;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;
import io.batchpool.dispatch.config.DispatcherLifecycle;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** job-dispatcher on the shared broker: VM events in, slot counts out. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class PoolSlotsTest {
    private static final EventCodec<VmEvent> CODEC = new EventCodec<>(VmEvent.class);
    private static KafkaProducer<String, byte[]> producer;

    @Inject
    DispatcherLifecycle consumer;

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "job-dispatcher-test"));
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @BeforeEach
    void ready() {
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    void slotsFollowTheVmEventsOfAPool() {
        String pool = Ids.newId();
        String a = Ids.newId();
        String b = Ids.newId();
        long skippedBefore = consumer.skippedRecords();

        given().header("Authorization", "Bearer operator-dev-key").get("/pools/{id}/slots", pool).then().statusCode(404).body("error.code", equalTo("PoolNotFound"));

        send(new VmRequested(pool, a, "acct", "plan", 2), 1);
        send(new VmRequested(pool, b, "acct", "plan", 3), 2);
        send(new VmProvisioned(pool, a, "acct", "plan", 2, Instant.now()), 3);
        Envelope<VmEvent> bProvisioned = send(new VmProvisioned(pool, b, "acct", "plan", 3, Instant.now()), 4);
        expect(pool, 2, 5, 5, 0);

        send(new VmDrainStarted(pool, b), 5);
        expect(pool, 2, 5, 2, 1);

        send(new VmDeleted(pool, a, "acct", "plan", Instant.now(), VmDeletionReason.SCALED_DOWN, true), 6);
        send(new VmDeleted(pool, b, "acct", "plan", Instant.now(), VmDeletionReason.SCALED_DOWN, true), 7);
        expect(pool, 0, 0, 0, 0);

        // a redelivered old event after the deletions must not bring b back; c, sent after it, shows it was read
        publish(bProvisioned);
        send(new VmProvisioned(pool, Ids.newId(), "acct", "plan", 1, Instant.now()), 8);
        expect(pool, 1, 1, 1, 0);

        assertThat(consumer.skippedRecords()).isEqualTo(skippedBefore);
    }

    @Test
    void errorsHaveTheOneShapeAndObservabilityIsServed() {
        given().header("Authorization", "Bearer operator-dev-key").get("/pools/{id}/slots", "no-such-pool").then().statusCode(404)
                .body("error.code", equalTo("PoolNotFound"))
                .body("error.message", containsString("no-such-pool"));
        given().get("/nope").then().statusCode(404).body("error.code", equalTo("NotFound"));
        given().header("Authorization", "Bearer operator-dev-key").get("/q/metrics").then().statusCode(200).body(containsString("batchpool_records_skipped"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/pools/{poolId}/slots"));
    }

    private static void expect(String pool, int vms, int total, int free, int draining) {
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                given().header("Authorization", "Bearer operator-dev-key").get("/pools/{id}/slots", pool).then().statusCode(200)
                        .body("poolId", equalTo(pool))
                        .body("vms", equalTo(vms))
                        .body("slotsTotal", equalTo(total))
                        .body("slotsFree", equalTo(free))
                        .body("vmsDraining", equalTo(draining)));
    }

    private static Envelope<VmEvent> send(VmEvent event, long sequence) {
        Envelope<VmEvent> envelope = Envelope.of(event, sequence, Instant.now());
        publish(envelope);
        return envelope;
    }

    private static void publish(Envelope<VmEvent> envelope) {
        try {
            producer.send(new ProducerRecord<>(Topics.VM_EVENTS, envelope.data().poolId(), CODEC.encode(envelope)))
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
