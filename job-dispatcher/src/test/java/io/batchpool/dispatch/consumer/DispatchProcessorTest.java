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
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.SlotEvent;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.job.VmBusy;
import io.batchpool.contracts.job.VmIdle;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Wiring on the real broker: commands, VM events and agent reports in; job events, assignments, slot events out. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class DispatchProcessorTest {
    final EventCodec<JobCommand> commands = new EventCodec<>(JobCommand.class);
    final EventCodec<JobReport> reports = new EventCodec<>(JobReport.class);
    final EventCodec<VmEvent> vmEvents = new EventCodec<>(VmEvent.class);
    final EventCodec<JobEvent> jobEvents = new EventCodec<>(JobEvent.class);
    final EventCodec<Assignment> assignments = new EventCodec<>(Assignment.class);
    final EventCodec<SlotEvent> slots = new EventCodec<>(SlotEvent.class);
    KafkaProducer<String, byte[]> producer;
    KafkaConsumer<String, byte[]> reader;
    final List<Message> seen = new ArrayList<>();

    @BeforeEach
    void open() {
        producer = new KafkaProducer<>(KafkaClients.producer(SharedBroker.bootstrap(), "dispatch-test"));
        reader = new KafkaConsumer<>(KafkaClients.consumer(SharedBroker.bootstrap(), null, "dispatch-test-reader"));
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : List.of(Topics.JOB_EVENTS, Topics.ASSIGNMENTS, Topics.SLOT_EVENTS)) {
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

    void poll() {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
            seen.add(switch (r.topic()) {
                case Topics.JOB_EVENTS -> jobEvents.decode(r.value()).data();
                case Topics.ASSIGNMENTS -> assignments.decode(r.value()).data();
                default -> slots.decode(r.value()).data();
            });
        }
    }

    void awaitSeen(Message m) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            poll();
            return seen.contains(m);
        });
    }

    List<String> assignedJobs() {
        return seen.stream().filter(m -> m instanceof AssignJob).map(m -> ((AssignJob) m).jobId()).toList();
    }

    @Test
    void a_one_slot_pool_runs_its_jobs_one_after_the_other_in_order() throws Exception {
        String pool = Ids.newId();
        String vm = Ids.newId();
        List<String> jobs = List.of(Ids.newId(), Ids.newId(), Ids.newId());
        for (String job : jobs) {
            JobSpec spec = new JobSpec(job, "acct", "svc", 1, pool, Map.of(), Map.of(), Map.of(), Duration.ofMinutes(5));
            send(Topics.JOB_COMMANDS, commands, new SubmitJob(job, pool, spec), 1);
            send(Topics.JOB_COMMANDS, commands, new StartJob(job, pool), 2);
        }
        send(Topics.VM_EVENTS, vmEvents, new VmProvisioned(pool, vm, "acct", "plan", 1, Instant.now()), 1);
        awaitSeen(new VmBusy(pool, vm));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            poll();
            return !assignedJobs().isEmpty();
        });
        for (int i = 0; i < jobs.size(); i++) {
            String job = jobs.get(i);
            assertThat(assignedJobs()).as("one slot: only job %d is assigned", i + 1).containsExactlyElementsOf(jobs.subList(0, i + 1));
            send(Topics.JOB_REPORTS, reports, new AttemptStarted(job, pool, vm, 1), 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                poll();
                return seen.stream().anyMatch(m -> m instanceof JobStarted st && st.jobId().equals(job));
            });
            send(Topics.JOB_REPORTS, reports, new AttemptSucceeded(job, pool, vm, 1, 5), 2);
            awaitSeen(new CommitResults(vm, job, 1));
            send(Topics.JOB_REPORTS, reports, new ResultsCommitted(job, pool, vm, 1,
                    Map.of("out", new ResultLocation("http://127.0.0.1:10000/devstoreaccount1/", "c/" + job + ".csv", "?sig"))), 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                poll();
                return seen.stream().anyMatch(m -> m instanceof JobFinished f && f.jobId().equals(job));
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            poll();
            return seen.contains(new VmIdle(pool, vm));
        });
        assertThat(assignedJobs()).containsExactlyElementsOf(jobs);
    }
}
