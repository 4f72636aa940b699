package io.batchpool.pool.consumer;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.contracts.pool.PoolStatusChanged;
import io.batchpool.contracts.pool.ResizePool;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmStopped;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Wiring: commands and reports in on the real broker, decided events and provisioner commands out, transactionally. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class PoolProcessorTest {
    final EventCodec<PoolCommand> commands = new EventCodec<>(PoolCommand.class);
    final EventCodec<VmReport> reports = new EventCodec<>(VmReport.class);
    final EventCodec<PoolEvent> poolEvents = new EventCodec<>(PoolEvent.class);
    final EventCodec<VmEvent> vmEvents = new EventCodec<>(VmEvent.class);
    final EventCodec<ProvisionerCommand> provisioner = new EventCodec<>(ProvisionerCommand.class);

    KafkaProducer<String, byte[]> producer;
    KafkaConsumer<String, byte[]> reader;
    final List<Envelope<? extends Message>> seen = new ArrayList<>();

    @BeforeEach
    void open() {
        String bootstrap = SharedBroker.bootstrap();
        producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "pool-processor-test"));
        reader = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null, "pool-processor-test-reader"));
        List<TopicPartition> tps = new ArrayList<>();
        for (String topic : List.of(Topics.POOL_EVENTS, Topics.VM_EVENTS, Topics.PROVISIONER_COMMANDS)) {
            for (int p = 0; p < Topics.POOL_PARTITIONS; p++) {
                tps.add(new TopicPartition(topic, p));
            }
        }
        reader.assign(tps);
        reader.seekToEnd(tps);
        tps.forEach(reader::position);
    }

    @AfterEach
    void close() {
        producer.close();
        reader.close();
    }

    void send(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    <T> T awaitPayload(Class<T> type, Predicate<T> match) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                seen.add(switch (r.topic()) {
                    case Topics.POOL_EVENTS -> poolEvents.decode(r.value());
                    case Topics.VM_EVENTS -> vmEvents.decode(r.value());
                    default -> provisioner.decode(r.value());
                });
            }
            return seen.stream().map(Envelope::data).anyMatch(d -> type.isInstance(d) && match.test(type.cast(d)));
        });
        return seen.stream().map(Envelope::data).filter(type::isInstance).map(type::cast).filter(match).findFirst()
                .orElseThrow();
    }

    @Test
    void a_pool_is_created_grown_by_its_vm_reports_and_shrunk_to_zero() throws Exception {
        String pool = Ids.newId();
        String account = Ids.newId();
        Instant t0 = Instant.now();
        send(Topics.POOL_COMMANDS, pool, commands.encode(Envelope.of(new CreatePool(pool, account, "plan-a", 1, 2), 1, t0)));
        ProvisionVm provision = awaitPayload(ProvisionVm.class, p -> p.poolId().equals(pool));
        assertThat(provision.slots()).isEqualTo(2);

        Instant booted = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        send(Topics.VM_REPORTS, pool, reports.encode(Envelope.of(new VmBooted(pool, provision.vmId(), "test-agent", 2), 1, booted)));
        VmProvisioned provisioned = awaitPayload(VmProvisioned.class, p -> p.vmId().equals(provision.vmId()));
        assertThat(provisioned.provisionedAt()).as("billing starts at the agent's announcement").isEqualTo(booted);
        awaitPayload(PoolStatusChanged.class, s -> s.poolId().equals(pool) && s.vmsReady() == 1);

        send(Topics.POOL_COMMANDS, pool, commands.encode(Envelope.of(new ResizePool(pool, 0), 2, t0)));
        send(Topics.POOL_COMMANDS, pool, commands.encode(Envelope.of(new ResizePool(pool, 0), 2, t0))); // outbox re-send
        awaitPayload(DeprovisionVm.class, d -> d.vmId().equals(provision.vmId()));
        Instant stopped = Instant.now().plusMillis(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        send(Topics.VM_REPORTS, pool, reports.encode(Envelope.of(new VmStopped(pool, provision.vmId(), "test-agent"), 2, stopped)));
        VmDeleted deleted = awaitPayload(VmDeleted.class, d -> d.vmId().equals(provision.vmId()));
        assertThat(deleted.deletedAt()).isEqualTo(stopped);
        assertThat(deleted.reason()).isEqualTo(VmDeletionReason.SCALED_DOWN);
        awaitPayload(PoolStatusChanged.class, s -> s.poolId().equals(pool) && s.targetVms() == 0 && s.vmsDraining() == 0
                && s.vmsReady() == 0);

        List<Long> sequences = seen.stream().filter(e -> e.aggregateId().equals(pool) && !(e.data() instanceof ProvisionerCommand))
                .map(Envelope::sequence).sorted().toList();
        assertThat(sequences).as("one gap-free sequence per pool across both event topics")
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, sequences.size()).boxed().toList());
        assertThat(seen.stream().filter(e -> e.data() instanceof io.batchpool.contracts.pool.PoolResized
                && e.aggregateId().equals(pool)).count()).as("the re-sent command was applied once").isEqualTo(1);
    }

    @Test
    void a_busy_vm_is_stopped_only_after_the_dispatcher_says_it_is_idle() throws Exception {
        String pool = Ids.newId();
        Instant t0 = Instant.now();
        send(Topics.POOL_COMMANDS, pool, commands.encode(Envelope.of(new CreatePool(pool, Ids.newId(), "plan-b", 1, 1), 1, t0)));
        ProvisionVm provision = awaitPayload(ProvisionVm.class, p -> p.poolId().equals(pool));
        send(Topics.VM_REPORTS, pool, reports.encode(Envelope.of(new VmBooted(pool, provision.vmId(), "test-agent", 1), 1, Instant.now())));
        awaitPayload(VmProvisioned.class, p -> p.vmId().equals(provision.vmId()));
        io.batchpool.contracts.EventCodec<io.batchpool.contracts.job.SlotEvent> slots =
                new io.batchpool.contracts.EventCodec<>(io.batchpool.contracts.job.SlotEvent.class);
        send(Topics.SLOT_EVENTS, pool, slots.encode(Envelope.of(new io.batchpool.contracts.job.VmBusy(pool, provision.vmId()), 1, Instant.now())));
        send(Topics.POOL_COMMANDS, pool, commands.encode(Envelope.of(new ResizePool(pool, 0), 2, t0)));
        awaitPayload(io.batchpool.contracts.vm.VmDrainStarted.class, d -> d.vmId().equals(provision.vmId()));
        // give a wrong implementation time to misbehave: no stop while the VM runs a job
        Thread.sleep(1000);
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(500))) {
            if (r.topic().equals(Topics.PROVISIONER_COMMANDS)) {
                seen.add(provisioner.decode(r.value()));
            }
        }
        assertThat(seen.stream().map(Envelope::data).filter(d -> d instanceof DeprovisionVm dv && dv.vmId().equals(provision.vmId())))
                .as("a busy VM drains first").isEmpty();
        send(Topics.SLOT_EVENTS, pool, slots.encode(Envelope.of(new io.batchpool.contracts.job.VmIdle(pool, provision.vmId()), 2, Instant.now())));
        awaitPayload(DeprovisionVm.class, d -> d.vmId().equals(provision.vmId()));
    }
}
