package io.batchpool.dispatch.consumer;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.AssignJob;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.dispatch.config.DispatcherConfig;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The classic pool on the real broker. Its only wiring of its own is configuration: the pool whose id is
 * {@code classic-queue-id} gets the per-service cap (2 in tests, a fresh classic queue id per test JVM). Its VMs come
 * as pool-manager announces any pool's VMs, and classic job traffic is keyed by the classic queue id.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class ClassicQueueProcessorTest {
    static final String SYSTEM_ACCOUNT = "00000000000000000000000000000000";
    final EventCodec<JobCommand> commands = new EventCodec<>(JobCommand.class);
    final EventCodec<JobReport> reports = new EventCodec<>(JobReport.class);
    final EventCodec<VmEvent> vmEvents = new EventCodec<>(VmEvent.class);
    final EventCodec<JobEvent> jobEvents = new EventCodec<>(JobEvent.class);
    final EventCodec<Assignment> assignments = new EventCodec<>(Assignment.class);

    @Inject
    DispatcherConfig config;

    KafkaProducer<String, byte[]> producer;
    KafkaConsumer<String, byte[]> reader;
    final List<Message> seen = new ArrayList<>();
    long vmSequence;

    @BeforeEach
    void open() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "classic-test"));
        reader = new KafkaConsumer<>(KafkaClients.consumer(SharedBroker.bootstrap(), null, "classic-test-reader"));
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : List.of(Topics.JOB_EVENTS, Topics.ASSIGNMENTS)) {
            for (int p = 0; p < Topics.POOL_PARTITIONS; p++) {
                tps.add(new TopicPartition(t, p));
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

    <M extends Message> void send(String topic, EventCodec<? super M> codec, M m, long seq) throws Exception {
        @SuppressWarnings("unchecked")
        EventCodec<M> c = (EventCodec<M>) codec;
        producer.send(new ProducerRecord<>(topic, m.key(), c.encode(Envelope.of(m, seq, Instant.now())))).get();
    }

    void vm(VmEvent e) throws Exception {
        send(Topics.VM_EVENTS, vmEvents, e, ++vmSequence);
    }

    void awaitSeen(Predicate<Message> what) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                seen.add(r.topic().equals(Topics.JOB_EVENTS) ? jobEvents.decode(r.value()).data()
                        : assignments.decode(r.value()).data());
            }
            return seen.stream().anyMatch(what);
        });
    }

    List<String> assigned(String vm) {
        return seen.stream().filter(m -> m instanceof AssignJob a && a.vmId().equals(vm))
                .map(m -> ((AssignJob) m).jobId()).toList();
    }

    void awaitSlots(int free, int queued) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var json = given().header("Authorization", "Bearer operator-dev-key").get("/pools/" + config.classicQueueId() + "/slots").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(json.getInt("slotsFree")).as("free slots").isEqualTo(free);
            assertThat(json.getInt("jobsQueued")).as("queued jobs").isEqualTo(queued);
        });
    }

    @Test
    void the_classic_pools_vms_serve_the_classic_queue_under_the_per_service_cap() throws Exception {
        String classic = config.classicQueueId();
        assertThat(config.classicMaxRunningPerService()).as("set in %test application.properties").isEqualTo(2);
        assertThat(classic).as("a classic queue of this test JVM, not the shared default").startsWith("test-classic-");
        String a = Ids.newId();
        String b = Ids.newId();
        List<String> as = List.of(Ids.newId(), Ids.newId(), Ids.newId(), Ids.newId(), Ids.newId());
        String b1 = Ids.newId();
        String vm1 = Ids.newId();

        // the system pool as pool-manager announces any pool: its id is the classic queue id
        vm(new VmProvisioned(classic, vm1, SYSTEM_ACCOUNT, "classic", 4, Instant.now()));
        for (String job : as) {
            submit(classic, job, a);
        }
        submit(classic, b1, b);

        awaitSeen(m -> m instanceof AssignJob j && j.jobId().equals(b1));
        awaitSlots(1, 3); // one slot stays free: A runs its 2 and A3 waits, B1 passed it
        assertThat(assigned(vm1)).containsExactly(as.get(0), as.get(1), b1);

        finish(classic, vm1, as.get(0), 1);
        awaitSeen(m -> m instanceof AssignJob j && j.jobId().equals(as.get(2)));
        assertThat(assigned(vm1)).as("A1 finishing starts A3").containsExactly(as.get(0), as.get(1), b1, as.get(2));
        // job events of the classic queue share one partition, so their order is the dispatcher's
        List<Message> events = seen.stream().filter(m -> m instanceof JobEvent).toList();
        assertThat(events.indexOf(events.stream().filter(m -> m instanceof JobFinished f && f.jobId().equals(as.get(0)))
                .findFirst().orElseThrow()))
                .as("A3 is assigned only after A1 finished")
                .isLessThan(events.indexOf(events.stream().filter(m -> m instanceof JobAssigned j
                        && j.jobId().equals(as.get(2))).findFirst().orElseThrow()));

        // the VM is lost: its jobs go back to the head in their order and run on the next VM, still under the cap
        vm(new VmDeleted(classic, vm1, SYSTEM_ACCOUNT, "classic", Instant.now(), VmDeletionReason.LOST, true));
        awaitSeen(m -> m instanceof JobRequeued r && r.jobId().equals(b1));
        String vm2 = Ids.newId();
        vm(new VmProvisioned(classic, vm2, SYSTEM_ACCOUNT, "classic", 4, Instant.now()));
        awaitSeen(m -> m instanceof AssignJob j && j.vmId().equals(vm2) && j.jobId().equals(b1));
        awaitSlots(1, 2);
        assertThat(seen.stream().filter(m -> m instanceof AssignJob j && j.vmId().equals(vm2))
                .map(m -> ((AssignJob) m).jobId() + "#" + ((AssignJob) m).attempt()))
                .as("A2 A3 B1 in their old order, attempt 2; A4 waits under the cap")
                .containsExactly(as.get(1) + "#2", as.get(2) + "#2", b1 + "#2");
    }

    void submit(String classic, String job, String service) throws Exception {
        JobSpec spec = new JobSpec(job, Ids.newId(), service, 1, null, Map.of(), Map.of(), Map.of(), Duration.ofMinutes(5));
        send(Topics.JOB_COMMANDS, commands, new SubmitJob(job, classic, spec), 1);
        send(Topics.JOB_COMMANDS, commands, new StartJob(job, classic), 2);
    }

    void finish(String classic, String vm, String job, int attempt) throws Exception {
        send(Topics.JOB_REPORTS, reports, new AttemptStarted(job, classic, vm, attempt), 1);
        send(Topics.JOB_REPORTS, reports, new AttemptSucceeded(job, classic, vm, attempt, 5), 2);
        awaitSeen(m -> m.equals(new CommitResults(vm, job, attempt)));
        send(Topics.JOB_REPORTS, reports, new ResultsCommitted(job, classic, vm, attempt,
                Map.of("out", new ResultLocation("http://127.0.0.1:10000/devstoreaccount1/", "c/" + job + ".csv", "?sig"))), 3);
        awaitSeen(m -> m instanceof JobFinished f && f.jobId().equals(job));
    }
}
