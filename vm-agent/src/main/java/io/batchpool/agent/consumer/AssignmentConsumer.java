package io.batchpool.agent.consumer;

import io.batchpool.agent.config.AgentConfig;
import io.batchpool.agent.service.JobRunner;
import io.batchpool.agent.service.LocalProvisioner;
import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.SkippedRecords;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads ALL partitions of {@link Topics#ASSIGNMENTS} (key: VM id) by manual assignment: this process hosts many
 * VMs, whose ids hash to any partition. It resumes at the offsets committed for group
 * {@code batchpool.vm-agent.assignments-group-id}, or at the end the first time. Records for VMs not hosted here
 * are ignored. Offsets are committed after each batch was handed to the {@link JobRunner} (a process that dies
 * takes its VMs with it, so nothing it had not handled is still wanted).
 */
@ApplicationScoped
public class AssignmentConsumer {
    private static final Logger LOG = Logger.getLogger(AssignmentConsumer.class);
    private static final EventCodec<Assignment> CODEC = new EventCodec<>(Assignment.class);

    private final AgentConfig config;
    private final JobRunner runner;
    private final LocalProvisioner provisioner;
    private final SkippedRecords skipped = new SkippedRecords();

    private volatile boolean running;
    private volatile boolean positioned;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public AssignmentConsumer(AgentConfig config, JobRunner runner, LocalProvisioner provisioner) {
        this.config = config;
        this.runner = runner;
        this.provisioner = provisioner;
    }

    public synchronized void start(String bootstrap) {
        consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, config.assignmentsGroupId(),
                "vm-agent-assignments-" + provisioner.agentId()));
        running = true;
        thread = new Thread(this::run, "assignments");
        thread.start();
    }

    public void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True once every partition is assigned and positioned. */
    public boolean positioned() {
        return positioned && running;
    }

    public SkippedRecords skipped() {
        return skipped;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = consumer) {
            position(c);
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                    if (!records.isEmpty()) {
                        handle(records);
                        try {
                            c.commitSync();
                        } catch (RuntimeException e) {
                            LOG.warnf("assignments: offsets not committed: %s", e.getMessage());
                        }
                    }
                } catch (WakeupException e) {
                    // stop() was called
                }
            }
        } catch (WakeupException e) {
            // stopped while positioning
        } catch (RuntimeException e) {
            LOG.error("assignments consumer failed", e);
        } finally {
            positioned = false;
            LOG.info("assignments consumer stopped");
        }
    }

    private void position(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = c.partitionsFor(Topics.ASSIGNMENTS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(new HashSet<>(partitions));
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata at = committed.get(tp);
            if (at == null) {
                fresh.add(tp);
            } else {
                c.seek(tp, at.offset());
            }
        }
        c.seekToEnd(fresh);
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.forEach(c::position); // resolve the end now: an assignment sent after readiness is never skipped
        positioned = true;
        LOG.infof("assignments: reading %d partitions (%d from the end)", partitions.size(), fresh.size());
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            Envelope<Assignment> envelope;
            try {
                envelope = CODEC.decode(record.value());
            } catch (DecodeException e) {
                skipped.skip(record, e);
                continue;
            }
            try {
                runner.handle(envelope.data());
            } catch (RuntimeException e) {
                // one bad assignment must not block the others
                LOG.errorf("assignment %s for VM %s not handled: %s", envelope.type(), record.key(), e.toString());
            }
        }
    }
}
