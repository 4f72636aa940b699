package io.batchpool.pool.consumer;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmHeartbeat;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmState;
import io.batchpool.kit.KafkaClients;
import io.batchpool.pool.domain.Liveness;
import io.batchpool.pool.domain.Vm;
import io.batchpool.testkit.SharedBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refill after a restart on the real broker: reports stamped (record timestamp and agent time) as a run that was
 * stopped 25 minutes ago left them, on a topic of this test's own.
 */
class ReportTopicHistoryTest {
    final EventCodec<VmReport> reports = new EventCodec<>(VmReport.class);

    @Test
    void a_vm_silent_since_a_long_stop_is_found_where_its_reports_end() throws Exception {
        String bootstrap = SharedBroker.bootstrap();
        String topic = "test.vm-reports." + Ids.newId();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant booted = now.minus(Duration.ofHours(2));
        Instant stop = now.minus(Duration.ofMinutes(25));
        String pool = Ids.newId();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "report-history-test"))) {
            send(producer, topic, new VmBooted(pool, "vm1", "agent", 1), booted);
            send(producer, topic, new VmBooted(pool, "vm2", "agent", 1), booted);
            for (Instant t = booted.plusSeconds(10); !t.isAfter(stop); t = t.plusSeconds(10)) {
                send(producer, topic, new VmHeartbeat(pool, "vm1", "agent"), t);
                send(producer, topic, new VmHeartbeat(pool, "vm2", "agent"), t.minusSeconds(3));
            }
            send(producer, topic, new VmBooted(pool, "vm3", "agent", 1), now.minusSeconds(4)); // the new run
            producer.flush();
        }

        Liveness liveness = new Liveness(Duration.ofSeconds(1));
        Vm vm1 = new Vm("vm1", pool, VmState.READY, 1, booted, booted);
        Vm vm2 = new Vm("vm2", pool, VmState.READY, 1, booted, booted);
        Vm vm3 = new Vm("vm3", pool, VmState.READY, 1, now.minusSeconds(4), now.minusSeconds(4));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaClients.consumer(bootstrap, null, "report-history-test"))) {
            int windows = liveness.refill(List.of(vm1, vm2, vm3),
                    new ReportTopicHistory(consumer, new TopicPartition(topic, 0)), now, Duration.ofSeconds(10));
            assertThat(windows).as("10 s doubled until past the stop: 2560 s").isEqualTo(9);
        }
        assertThat(liveness.lastSeen(vm1)).as("billed until its last report, not for the downtime").isEqualTo(stop);
        assertThat(liveness.lastSeen(vm2)).isEqualTo(stop.minusSeconds(3));
        assertThat(liveness.lastSeen(vm3)).isEqualTo(now.minusSeconds(4));
    }

    void send(KafkaProducer<String, byte[]> producer, String topic, VmReport report, Instant at) {
        producer.send(new ProducerRecord<>(topic, 0, at.toEpochMilli(), report.poolId(),
                reports.encode(Envelope.of(report, 1, at))));
    }
}
