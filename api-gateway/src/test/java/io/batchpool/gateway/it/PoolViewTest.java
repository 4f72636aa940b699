package io.batchpool.gateway.it;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.pool.PoolDeleted;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.contracts.pool.PoolState;
import io.batchpool.contracts.pool.PoolStatusChanged;
import io.batchpool.gateway.consumer.ViewConsumer;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static io.batchpool.gateway.it.GatewayTestSupport.operator;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Pool events from pool-manager feed the pool view; older or replayed events change nothing. */
@QuarkusTest
class PoolViewTest {
    private static final EventCodec<PoolEvent> CODEC = new EventCodec<>(PoolEvent.class);

    @Inject
    ViewConsumer consumer;

    KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void producer() {
        producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "gateway-view-test"));
    }

    @AfterEach
    void close() {
        producer.close();
    }

    @Test
    void statusChangesUpdateCountsAndOlderSequencesDoNotOverwriteNewer() throws Exception {
        Account a = newAccount(3, 10);
        String pool = newPool(a, 4);
        String sentinel = newPool(a, 1);

        int partition = publish(pool, null, status(pool, 5, 1, 3, 0)).partition();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                a.as().get(a.pools() + "/" + pool).then().body("vmsReady", equalTo(3)));
        a.as().get(a.pools() + "/" + pool).then()
                .body("vmsProvisioning", equalTo(1)).body("vmsDraining", equalTo(0)).body("targetVms", equalTo(4));

        // an older snapshot and a replay of the applied one, then a sentinel on the same partition: once the
        // sentinel shows, the two before it were processed and must not have changed anything
        publish(pool, partition, status(pool, 4, 9, 9, 9));
        publish(pool, partition, status(pool, 5, 7, 7, 7));
        publish(sentinel, partition, status(sentinel, 2, 0, 1, 0));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                a.as().get(a.pools() + "/" + sentinel).then().body("vmsReady", equalTo(1)));
        a.as().get(a.pools() + "/" + pool).then()
                .body("vmsProvisioning", equalTo(1)).body("vmsReady", equalTo(3)).body("vmsDraining", equalTo(0));

        // a newer one wins
        publish(pool, partition, status(pool, 9, 0, 2, 2));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                a.as().get(a.pools() + "/" + pool).then().body("vmsDraining", equalTo(2)).body("vmsReady", equalTo(2)));
    }

    @Test
    void undecodableRecordsAreSkippedCountedAndDoNotBlockThePartition() throws Exception {
        Account a = newAccount(3, 10);
        String pool = newPool(a, 2);
        long skippedBefore = consumer.skipped().count();

        int partition = producer.send(new ProducerRecord<>(Topics.POOL_EVENTS, pool, "not json".getBytes())).get().partition();
        producer.send(new ProducerRecord<>(Topics.POOL_EVENTS, partition, pool, "{\"type\":\"Martian\"}".getBytes())).get();
        publish(pool, partition, status(pool, 3, 0, 2, 0));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                a.as().get(a.pools() + "/" + pool).then().body("vmsReady", equalTo(2)));
        assertThat(consumer.skipped().count() - skippedBefore).isGreaterThanOrEqualTo(2);
        String metrics = given().header("Authorization", "Bearer operator-dev-key").get("/q/metrics").asString();
        assertThat(metrics).contains("batchpool_records_skipped").contains("batchpool_outbox_backlog");
    }

    @Test
    void poolDeletedHidesThePoolAndFreesNothingTwice() throws Exception {
        Account a = newAccount(2, 10);
        String pool = newPool(a, 2);
        a.as().delete(a.pools() + "/" + pool).then().statusCode(202).body("state", equalTo("Deleting"));
        publish(pool, null, status(pool, 6, 0, 0, 1)); // still draining
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                a.as().get(a.pools() + "/" + pool).then().body("vmsDraining", equalTo(1)).body("state", equalTo("Deleting")));

        publish(pool, null, Envelope.of(new PoolDeleted(pool), 7, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                a.as().get(a.pools() + "/" + pool).then().statusCode(404).body("error.code", equalTo("PoolNotFound")));
        assertThat(a.as().get(a.pools()).then().extract().jsonPath().getList("poolId")).doesNotContain(pool);
        a.as().delete(a.pools() + "/" + pool).then().statusCode(404);
        operator().get("/operator/accounts/" + a.id()).then().body("usage.pools", equalTo(0));
    }

    @Test
    void readinessReportsTheViewConsumerAndTheOutbox() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200)
                        .body("status", equalTo("UP"))
                        .body("checks.find { it.name == 'api-gateway' }.data.viewConsumerAssigned", equalTo(true)));
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'api-gateway' }.data.outboxBacklog", org.hamcrest.Matchers.notNullValue());
    }

    private static Envelope<PoolEvent> status(String pool, long seq, int provisioning, int ready, int draining) {
        return Envelope.of(new PoolStatusChanged(pool, PoolState.ACTIVE, 0, provisioning, ready, draining), seq,
                Instant.now());
    }

    private RecordMetadata publish(String key, Integer partition, Envelope<? extends PoolEvent> event) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.POOL_EVENTS, partition, key, CODEC.encode(event))).get();
    }
}
