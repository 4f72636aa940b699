package io.batchpool.gateway.consumer;

import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.SkippedRecords;
import io.batchpool.kit.TopicBootstrap;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the pool and job views from {@code batchpool.pool-events.v1} and {@code batchpool.job-events.v1} (group
 * {@code api-gateway-views}): one thread, each poll's events applied in one DB transaction per topic, offsets
 * committed after both. Delivery is at least once and the updates are
 * versioned, so re-delivery is harmless. Undecodable records are counted ({@link SkippedRecords}) and skipped.
 * Topics are ensured on this thread, so the gateway starts (and admits requests) while the broker is away.
 */
@ApplicationScoped
public class ViewConsumer {
    private static final Logger LOG = Logger.getLogger(ViewConsumer.class);
    private static final EventCodec<PoolEvent> POOL_CODEC = new EventCodec<>(PoolEvent.class);
    private static final EventCodec<JobEvent> JOB_CODEC = new EventCodec<>(JobEvent.class);

    private final PoolViewWriter writer;
    private final JobViewWriter jobWriter;
    private final GatewayConfig config;
    private final String bootstrap;
    private final SkippedRecords skipped = new SkippedRecords();

    private volatile boolean running;
    private volatile boolean assigned;
    private volatile Set<TopicPartition> partitions = Set.of();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    @Inject
    public ViewConsumer(PoolViewWriter writer, JobViewWriter jobWriter, GatewayConfig config,
                        @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.writer = writer;
        this.jobWriter = jobWriter;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "view-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the group gave this instance its partitions (possibly none, when instances outnumber them). */
    public boolean assigned() {
        return assigned;
    }

    public Set<TopicPartition> partitions() {
        return partitions;
    }

    public SkippedRecords skipped() {
        return skipped;
    }

    private void run() {
        while (running) {
            try {
                TopicBootstrap.ensureTopics(bootstrap, config.kafka().replicationFactor());
                consume();
            } catch (WakeupException e) {
                break;
            } catch (RuntimeException e) {
                LOG.warnf("view consumer failed, restarting in 2 s: %s", e.toString());
                assigned = false;
                sleep(2000);
            }
        }
    }

    private void consume() {
        java.util.Map<String, Object> props = KafkaClients.consumer(bootstrap, config.views().groupId(), "api-gateway-views");
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                config.views().instanceId().orElseGet(ViewConsumer::hostName));
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            consumer = c;
            c.subscribe(List.of(Topics.POOL_EVENTS, Topics.JOB_EVENTS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    assigned = false;
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> given) {
                    partitions = Set.copyOf(c.assignment());
                    assigned = true;
                    LOG.infof("view consumer assigned %s", partitions);
                }
            });
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                List<Envelope<PoolEvent>> events = new ArrayList<>();
                List<Envelope<JobEvent>> jobEvents = new ArrayList<>();
                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                Map<TopicPartition, Long> first = new HashMap<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    first.putIfAbsent(tp, record.offset());
                    next.put(tp, new OffsetAndMetadata(record.offset() + 1));
                    try {
                        if (Topics.JOB_EVENTS.equals(record.topic())) {
                            jobEvents.add(JOB_CODEC.decode(record.value()));
                        } else {
                            events.add(POOL_CODEC.decode(record.value()));
                        }
                    } catch (DecodeException e) {
                        skipped.skip(record, e);
                    }
                }
                try {
                    if (!events.isEmpty()) {
                        writer.apply(events);
                    }
                    if (!jobEvents.isEmpty()) {
                        jobWriter.apply(jobEvents);
                    }
                } catch (RuntimeException e) {
                    // the database is away: re-read the batch later (updates are versioned, so this is harmless)
                    LOG.warnf("cannot apply %d pool and %d job events, retrying: %s", events.size(), jobEvents.size(),
                            e.toString());
                    first.forEach(c::seek);
                    sleep(1000);
                    continue;
                }
                c.commitSync(next);
            }
        } finally {
            consumer = null;
            assigned = false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String hostName() {
        try {
            return "api-gateway-" + java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "api-gateway-" + ProcessHandle.current().pid();
        }
    }
}
