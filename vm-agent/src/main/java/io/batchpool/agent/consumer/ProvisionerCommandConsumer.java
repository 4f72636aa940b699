package io.batchpool.agent.consumer;

import io.batchpool.agent.config.AgentConfig;
import io.batchpool.agent.service.LocalProvisioner;
import io.batchpool.agent.publisher.VmReportPublisher;
import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.SkippedRecords;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads {@link Topics#PROVISIONER_COMMANDS} (key: VM id) in consumer group {@code batchpool.vm-agent.group-id} on
 * its own thread. Each poll batch is handed to the {@link LocalProvisioner}; once it is handled and the reports
 * it caused are acknowledged, the batch's offsets are committed (at least once: a redelivered ProvisionVm finds
 * its VM already hosted, a redelivered DeprovisionVm finds it gone).
 */
@ApplicationScoped
public class ProvisionerCommandConsumer {
    private static final Logger LOG = Logger.getLogger(ProvisionerCommandConsumer.class);
    private static final EventCodec<ProvisionerCommand> CODEC = new EventCodec<>(ProvisionerCommand.class);

    private final AgentConfig config;
    private final LocalProvisioner provisioner;
    private final VmReportPublisher publisher;
    private final SkippedRecords skipped = new SkippedRecords();

    private volatile boolean running;
    private volatile boolean assigned;
    private volatile Set<TopicPartition> partitions = Set.of();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public ProvisionerCommandConsumer(AgentConfig config, LocalProvisioner provisioner, VmReportPublisher publisher) {
        this.config = config;
        this.provisioner = provisioner;
        this.publisher = publisher;
    }

    public synchronized void start(String bootstrap) {
        Map<String, Object> props = KafkaClients.consumer(bootstrap, config.groupId(),
                "vm-agent-" + provisioner.agentId());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                (int) Math.max(500, config.sessionTimeout().toMillis() / 3));
        consumer = new KafkaConsumer<>(props);
        running = true;
        thread = new Thread(this::run, "provisioner-commands");
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

    /** True once the group gave this consumer its partitions (an empty share counts: it is a member). */
    public boolean assigned() {
        return assigned && running;
    }

    public Set<TopicPartition> partitions() {
        return partitions;
    }

    public SkippedRecords skipped() {
        return skipped;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = consumer) {
            c.subscribe(List.of(Topics.PROVISIONER_COMMANDS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    partitions = Set.of();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> given) {
                    partitions = Set.copyOf(given);
                    assigned = true;
                    LOG.infof("provisioner commands: assigned %s", given);
                }
            });
            while (running) {
                ConsumerRecords<String, byte[]> records = ConsumerRecords.empty();
                try {
                    records = c.poll(Duration.ofMillis(500));
                    if (!records.isEmpty()) {
                        handle(records);
                        c.commitSync();
                    }
                } catch (WakeupException e) {
                    // stop() was called
                } catch (RuntimeException e) {
                    // e.g. a commit that failed in a rebalance: the batch is read again and handled idempotently
                    LOG.warn("provisioner commands: batch not completed, reading it again", e);
                    rewind(c, records);
                }
            }
        } finally {
            assigned = false;
            LOG.info("provisioner commands consumer stopped");
        }
    }

    private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            if (c.assignment().contains(tp)) {
                c.seek(tp, records.records(tp).get(0).offset());
            }
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        List<Future<?>> handled = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            Envelope<ProvisionerCommand> envelope;
            try {
                envelope = CODEC.decode(record.value());
            } catch (DecodeException e) {
                skipped.skip(record, e);
                continue;
            }
            handled.add(provisioner.submit(envelope));
        }
        for (Future<?> f : handled) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // a command the host cannot handle must not block the partition: log it and move on
                LOG.error("provisioner command failed", e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("the VM host did not handle a command within 30 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        // the VmBooted/VmStopped a command caused must be on the broker before the command counts as done
        publisher.flush();
    }
}
