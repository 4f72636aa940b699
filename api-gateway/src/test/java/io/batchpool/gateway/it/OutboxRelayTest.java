package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.DeletePool;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.pool.ResizePool;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Admitted commands reach the real broker, in order, with the pool's versions as sequences. */
@QuarkusTest
class OutboxRelayTest {
    private static final EventCodec<PoolCommand> CODEC = new EventCodec<>(PoolCommand.class);

    @Inject
    AgroalDataSource db;

    @Test
    void createResizeDeleteArePublishedWithIncreasingSequences() {
        try (TopicReader reader = new TopicReader(Topics.POOL_COMMANDS)) {
            Account a = newAccount(2, 10);
            String pool = a.as().body(Map.of("vmCount", 2, "billingPlanId", "plan-r", "slotsPerVm", 3))
                    .post(a.pools()).then().statusCode(201).extract().path("poolId");
            a.as().body(Map.of("vmCount", 5)).post(a.pools() + "/" + pool + "/resize").then().statusCode(202);
            a.as().body(Map.of("vmCount", 5)).post(a.pools() + "/" + pool + "/resize").then().statusCode(202); // same size: no command
            a.as().body(Map.of("vmCount", 1)).patch(a.pools() + "/" + pool).then().statusCode(202);
            a.as().delete(a.pools() + "/" + pool + "?force=true").then().statusCode(202);

            List<ConsumerRecord<String, byte[]>> records = reader.read(pool::equals, 4, Duration.ofSeconds(30));
            List<Envelope<PoolCommand>> commands = records.stream().map(r -> CODEC.decode(r.value())).toList();

            assertThat(commands).extracting(Envelope::sequence).containsExactly(1L, 2L, 3L, 4L);
            assertThat(commands).extracting(Envelope::data).containsExactly(
                    new CreatePool(pool, a.id(), "plan-r", 2, 3),
                    new ResizePool(pool, 5),
                    new ResizePool(pool, 1),
                    new DeletePool(pool, true));
            assertThat(commands).extracting(Envelope::aggregateId).containsOnly(pool);
            assertThat(records).extracting(ConsumerRecord::partition).hasSize(4).containsOnly(records.get(0).partition());
            // nothing more for this pool
            assertThat(reader.read(pool::equals, 1, Duration.ofMillis(500))).isEmpty();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> queryLong(db, "select count(*) from outbox") == 0);
    }

    /** Rows a gateway committed and then died before relaying are sent by whichever gateway runs next. */
    @Test
    void rowsLeftInTheOutboxAreRelayed() throws Exception {
        String pool = Ids.newId();
        try (TopicReader reader = new TopicReader(Topics.POOL_COMMANDS)) {
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                    "insert into outbox (topic, record_key, payload, created_at) values (?, ?, ?, ?)")) {
                for (int seq = 7; seq <= 8; seq++) {
                    s.setString(1, Topics.POOL_COMMANDS);
                    s.setString(2, pool);
                    s.setBytes(3, CODEC.encode(Envelope.of(new ResizePool(pool, seq), seq, Instant.now())));
                    s.setTimestamp(4, Timestamp.from(Instant.now()));
                    s.addBatch();
                }
                s.executeBatch();
            }
            List<ConsumerRecord<String, byte[]>> records = reader.read(pool::equals, 2, Duration.ofSeconds(30));
            assertThat(records).extracting(r -> CODEC.decode(r.value()).sequence()).containsExactly(7L, 8L);
        }
    }
}
