package io.batchpool.agent;

import io.batchpool.agent.consumer.ProvisionerCommandConsumer;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmHeartbeat;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmStopped;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.SharedBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/** The local provisioner on the shared broker: commands in, reports out, as pool-manager sees them. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class LocalProvisionerTest {
    private static final EventCodec<ProvisionerCommand> COMMANDS = new EventCodec<>(ProvisionerCommand.class);
    private static final EventCodec<VmReport> REPORTS = new EventCodec<>(VmReport.class);
    private static KafkaProducer<String, byte[]> producer;

    @Inject
    ProvisionerCommandConsumer consumer;

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "vm-agent-test-commands"));
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @BeforeEach
    void ready() {
        JobFixture.awaitReady();
    }

    @Test
    void provisionBootsHeartbeatsAndDeprovisionStops() throws Exception {
        String vm = Ids.newId();
        String pool = Ids.newId();
        long skippedBefore = consumer.skipped().count();
        try (ReportReader reader = new ReportReader(vm)) {
            send(new ProvisionVm(vm, pool, 2));

            await().atMost(30, TimeUnit.SECONDS).until(() -> reader.poll().stream()
                    .filter(r -> r.value().data() instanceof VmHeartbeat).count() >= 2);
            List<ConsumerRecord<String, Envelope<VmReport>>> seen = reader.seen();
            assertThat(seen.get(0).value().data()).isInstanceOfSatisfying(VmBooted.class, booted -> {
                assertThat(booted.poolId()).isEqualTo(pool);
                assertThat(booted.slots()).isEqualTo(2);
                assertThat(booted.agentId()).startsWith("local-");
            });
            assertThat(seen).allSatisfy(r -> assertThat(r.key()).isEqualTo(pool)); // keyed by pool id
            assertThat(seen.stream().map(r -> r.value().sequence())).startsWith(1L, 2L, 3L);

            given().header("Authorization", "Bearer operator-dev-key").get("/vms").then().statusCode(200)
                    .body("find { it.vmId == '" + vm + "' }.state", equalTo("READY"))
                    .body("find { it.vmId == '" + vm + "' }.poolId", equalTo(pool))
                    .body("find { it.vmId == '" + vm + "' }.slots", equalTo(2))
                    .body("find { it.vmId == '" + vm + "' }.bootedAt", notNullValue());

            send(new DeprovisionVm(vm, pool));
            await().atMost(30, TimeUnit.SECONDS).until(() -> reader.poll().stream()
                    .anyMatch(r -> r.value().data() instanceof VmStopped));
            // five heartbeat intervals later still nothing after VmStopped
            Thread.sleep(1000);
            List<ConsumerRecord<String, Envelope<VmReport>>> all = reader.poll();
            assertThat(all.get(all.size() - 1).value().data()).isEqualTo(
                    new VmStopped(pool, vm, ((VmBooted) all.get(0).value().data()).agentId()));
            assertThat(all.stream().filter(r -> r.value().data() instanceof VmStopped)).hasSize(1);
            List<Long> sequences = all.stream().map(r -> r.value().sequence()).toList();
            assertThat(sequences).isSorted().doesNotHaveDuplicates();

            given().header("Authorization", "Bearer operator-dev-key").get("/vms").then().statusCode(200).body("vmId", not(hasItem(vm)));
        }
        assertThat(consumer.skipped().count()).isEqualTo(skippedBefore);
    }

    @Test
    void duplicateProvisionBootsOnce() {
        String vm = Ids.newId();
        String pool = Ids.newId();
        try (ReportReader reader = new ReportReader(vm)) {
            send(new ProvisionVm(vm, pool, 1));
            send(new ProvisionVm(vm, pool, 1));

            // three heartbeats later both commands have long been handled
            await().atMost(30, TimeUnit.SECONDS).until(() -> reader.poll().stream()
                    .filter(r -> r.value().data() instanceof VmHeartbeat).count() >= 3);
            assertThat(reader.seen().stream().filter(r -> r.value().data() instanceof VmBooted)).hasSize(1);
            given().header("Authorization", "Bearer operator-dev-key").get("/vms").then().statusCode(200).body("findAll { it.vmId == '" + vm + "' }.size()", equalTo(1));

            send(new DeprovisionVm(vm, pool));
            await().atMost(30, TimeUnit.SECONDS).until(() -> reader.poll().stream()
                    .anyMatch(r -> r.value().data() instanceof VmStopped));
        }
    }

    @Test
    void deprovisionOfAnUnknownVmPublishesNothing() throws Exception {
        String vm = Ids.newId();
        String pool = Ids.newId();
        String witness = Ids.newId();
        try (ReportReader reader = new ReportReader(vm); ReportReader witnessReader = new ReportReader(witness)) {
            send(new DeprovisionVm(vm, pool));
            // a command sent after it on the same partition shows the first one was handled
            send(new ProvisionVm(witness, pool, 1), vm);
            await().atMost(30, TimeUnit.SECONDS).until(() -> witnessReader.poll().stream()
                    .anyMatch(r -> r.value().data() instanceof VmBooted));
            assertThat(reader.poll()).isEmpty();
            send(new DeprovisionVm(witness, pool));
            await().atMost(30, TimeUnit.SECONDS).until(() -> witnessReader.poll().stream()
                    .anyMatch(r -> r.value().data() instanceof VmStopped));
        }
    }

    @Test
    void metricsAndOpenApiAreServed() {
        given().header("Authorization", "Bearer operator-dev-key").get("/q/metrics").then().statusCode(200).body(containsString("batchpool_records_skipped"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/vms"));
        given().get("/nope").then().statusCode(404).body("error.code", equalTo("NotFound"));
    }

    private static void send(ProvisionerCommand command) {
        send(command, command.vmId());
    }

    /** Sends with an explicit key (the VM id, or another VM's id to land on the same partition). */
    private static void send(ProvisionerCommand command, String key) {
        try {
            producer.send(new ProducerRecord<>(Topics.PROVISIONER_COMMANDS, key,
                    COMMANDS.encode(Envelope.of(command, 1, Instant.now())))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The VM reports of one VM published from now on (assigned to every partition at the end before anything is sent). */
    static final class ReportReader implements AutoCloseable {
        private final String vmId;
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<ConsumerRecord<String, Envelope<VmReport>>> seen = new ArrayList<>();

        ReportReader(String vmId) {
            this.vmId = vmId;
            consumer = new KafkaConsumer<>(KafkaClients.consumer(SharedBroker.bootstrap(), null, "reports-" + vmId));
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.VM_REPORTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before the test publishes
        }

        List<ConsumerRecord<String, Envelope<VmReport>>> poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                Envelope<VmReport> report = REPORTS.decode(r.value());
                if (report.data().vmId().equals(vmId)) {
                    seen.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), report));
                }
            }
            return seen();
        }

        List<ConsumerRecord<String, Envelope<VmReport>>> seen() {
            return List.copyOf(seen);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
