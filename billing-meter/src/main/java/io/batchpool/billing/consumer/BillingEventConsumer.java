package io.batchpool.billing.consumer;

import io.batchpool.billing.config.BillingConfig;
import io.batchpool.billing.domain.BillingChange;
import io.batchpool.billing.domain.ClassicJobBilling;
import io.batchpool.billing.domain.InvalidJobEvent;
import io.batchpool.billing.domain.InvalidVmEvent;
import io.batchpool.billing.domain.VmEventBilling;
import io.batchpool.billing.store.IntervalStore;
import io.batchpool.billing.store.IntervalStore.PendingRecord;
import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.kit.BrokerOutage;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.SkippedRecords;
import io.batchpool.kit.TopicBootstrap;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code batchpool.vm-events.v1} and {@code batchpool.job-events.v1} on one dedicated thread: VmProvisioned /
 * VmDeleted become billed VM intervals, the classic queue's job events become metered job runs. Offsets live in
 * PostgreSQL with the intervals (never committed to Kafka): on every assignment the consumer seeks each partition to
 * its stored offset + 1, and a record at or below it changes nothing, so a crash at any instant loses nothing and
 * doubles nothing.
 */
@ApplicationScoped
public class BillingEventConsumer {
    private static final Logger LOG = Logger.getLogger(BillingEventConsumer.class);
    private final BrokerOutage outage = new BrokerOutage(BillingEventConsumer.class, "billing waits for VM and job events");
    static final List<String> TOPICS = List.of(Topics.VM_EVENTS, Topics.JOB_EVENTS);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final BillingConfig config;
    private final String bootstrap;
    private final IntervalStore store;
    private final SkippedRecords skipped;
    private final EventCodec<VmEvent> vmCodec = new EventCodec<>(VmEvent.class);
    private final EventCodec<JobEvent> jobCodec = new EventCodec<>(JobEvent.class);
    private final ClassicJobBilling classic;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean assigned;
    private volatile boolean caughtUp;
    /** End offsets seen at the first assignment; readiness waits until the consumer has reached them. */
    private volatile Map<TopicPartition, Long> startupEnds;

    public BillingEventConsumer(BillingConfig config,
                                @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                                IntervalStore store, SkippedRecords skipped) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.store = store;
        this.skipped = skipped;
        this.classic = new ClassicJobBilling(config.classicQueueId());
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "billing-events-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        stopped.countDown(); // ends a back-off pause; the consumer's own wait is ended by wakeup()
        Thread t = thread;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True once partitions were assigned and the records present at start-up are applied. */
    public boolean ready() {
        Thread t = thread;
        return assigned && caughtUp && t != null && t.isAlive();
    }

    public boolean assigned() {
        return assigned;
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        long backoff = 500;
        while (running) {
            try {
                TopicBootstrap.ensureTopics(bootstrap, config.kafka().replicationFactor());
                consume();
                return;
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (BrokerOutage.explains(e)) {
                    outage.failed(e); // said once per outage
                } else {
                    LOG.errorf(e, "billing events consumer failed, restarting in %d ms", backoff);
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    private void consume() {
        String clientId = "billing-meter-" + ProcessHandle.current().pid();
        java.util.Map<String, Object> props = KafkaClients.consumer(bootstrap, config.kafka().groupId(), clientId);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                config.kafka().instanceId().orElseGet(BillingEventConsumer::hostName));
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            consumer = c;
            if (!running) {
                return;
            }
            c.subscribe(TOPICS, new SeekToStoredOffsets(c));
            long backoff = 500;
            boolean reseek = false;
            while (running) {
                try {
                    if (reseek) {
                        onAssigned(c, c.assignment());
                        reseek = false;
                    }
                    ConsumerRecords<String, byte[]> records = c.poll(POLL);
                    for (TopicPartition tp : records.partitions()) {
                        handle(tp, records.records(tp));
                    }
                    updateCaughtUp(c);
                    outage.succeeded();
                    backoff = 500;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // the database or the broker: what was fetched but not stored is read again from the stored offsets
                    if (BrokerOutage.explains(e)) {
                        outage.failed(e); // said once per outage
                    } else {
                        LOG.errorf(e, "cannot apply billing events, retrying from the stored offsets in %d ms", backoff);
                    }
                    reseek = true;
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                }
            }
        } finally {
            consumer = null;
        }
    }

    private void handle(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
        List<PendingRecord> pending = new ArrayList<>(records.size());
        Map<ConsumerRecord<String, byte[]>, DecodeException> rejected = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            BillingChange change = null;
            try {
                change = decide(record).orElse(null);
            } catch (DecodeException e) {
                rejected.put(record, e);
            } catch (InvalidVmEvent | InvalidJobEvent e) {
                rejected.put(record, new DecodeException(e.getMessage(), e));
            }
            // a skipped record still advances the offset: it never blocks the partition
            pending.add(new PendingRecord(record.offset(), change));
        }
        IntervalStore.BatchResult result = store.store(tp.topic(), tp.partition(), pending);
        // counted once stored, so that a batch retried after a database failure is not counted twice
        rejected.forEach((record, e) -> {
            if (record.offset() > result.previousOffset()) {
                skipped.skip(record, e);
            }
        });
        LOG.debugf("%s: applied %d records up to offset %d, %d interval rows changed", tp, result.applied(),
                result.lastOffset(), result.changedRows());
    }

    /** A VM interval change, a classic job run change, or empty when the record bills nothing. */
    private Optional<? extends BillingChange> decide(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(Topics.JOB_EVENTS)) {
            return classic.decide(jobCodec.decode(record.value()));
        }
        Envelope<VmEvent> envelope = vmCodec.decode(record.value());
        return VmEventBilling.decide(envelope.data());
    }

    private void seekToStored(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<String, Map<Integer, Long>> stored = new LinkedHashMap<>();
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long last = stored.computeIfAbsent(tp.topic(), store::lastOffsets).get(tp.partition());
            if (last == null) {
                fresh.add(tp);
            } else {
                c.seek(tp, last + 1);
            }
        }
        if (!fresh.isEmpty()) {
            c.seekToBeginning(fresh);
        }
        LOG.infof("seeked %s to the stored offsets %s", partitions, stored);
    }

    private void onAssigned(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        seekToStored(c, partitions);
        if (startupEnds == null) {
            startupEnds = Map.copyOf(c.endOffsets(partitions));
        }
        assigned = true;
    }

    private void updateCaughtUp(KafkaConsumer<String, byte[]> c) {
        Map<TopicPartition, Long> ends = startupEnds;
        if (caughtUp || ends == null) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            // a partition moved to another instance is that instance's to catch up
            if (c.assignment().contains(end.getKey()) && c.position(end.getKey()) < end.getValue()) {
                return;
            }
        }
        caughtUp = true;
        LOG.infof("caught up with vm-events and job-events (end offsets at start-up %s)", ends);
    }

    private final class SeekToStoredOffsets implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;

        SeekToStoredOffsets(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // an exception here (database away) comes out of poll(), which then re-seeks from the stored offsets
            onAssigned(c, partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // nothing to commit: every applied record's offset is already stored with its effect
        }
    }

    /** Pauses for a back-off, or until the service stops. */
    private void sleep(long millis) {
        try {
            stopped.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static String hostName() {
        try {
            return "billing-meter-" + java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "billing-meter-" + ProcessHandle.current().pid();
        }
    }
}
