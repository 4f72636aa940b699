package io.batchpool.agent.consumer;

import io.batchpool.agent.service.LocalProvisioner;
import io.batchpool.agent.service.ModelCache;
import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.service.ModelPublished;
import io.batchpool.contracts.service.ServiceModelEvent;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.SkippedRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a local copy of every model version on {@link Topics#SERVICE_MODELS} in the {@link ModelCache}'s directory.
 * The files on disk are the state: on every start the consumer reads the whole topic from the beginning by manual
 * assignment (no group, no commits) and writes each version that is not on disk yet. A version never changes once
 * published, so a version already on disk is skipped without even decoding its record.
 *
 * <p>Each record is decoded, its model bytes checked against the record's SHA-256 and written atomically. A record
 * that cannot be decoded, names an unusable web service id or version, or whose bytes do not match their SHA-256 is
 * logged, counted in the skipped-records metric and skipped. Tombstones (a compacted topic's deletion markers) are
 * ignored: a model once written stays on disk.
 */
@ApplicationScoped
public class ModelConsumer {
    private static final Logger LOG = Logger.getLogger(ModelConsumer.class);
    private static final EventCodec<ServiceModelEvent> CODEC = new EventCodec<>(ServiceModelEvent.class);

    /** What became of one record. */
    public enum Outcome {
        /** The model was written to disk. */
        WRITTEN,
        /** The version was on disk already. */
        PRESENT,
        /** A tombstone: nothing to do. */
        TOMBSTONE,
        /** Undecodable, unusable or corrupt: counted and skipped. */
        SKIPPED,
        /** The record is fine but the file could not be written (disk full, permissions): logged. */
        NOT_WRITTEN
    }

    private final ModelCache models;
    private final LocalProvisioner provisioner;
    private final SkippedRecords skipped = new SkippedRecords();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong present = new AtomicLong();

    private volatile boolean running;
    private volatile boolean caughtUp;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    @Inject
    public ModelConsumer(ModelCache models, LocalProvisioner provisioner) {
        this.models = models;
        this.provisioner = provisioner;
    }

    /**
     * Settings of the service-models consumer: {@link KafkaClients#consumer} without a group, and fetches large
     * enough for the largest record the topic admits ({@link Topics#SERVICE_MODELS_MAX_MESSAGE_BYTES}). The broker
     * returns an oversized first batch anyway; these limits keep a whole model record within one fetch. A fetch may
     * be buffered while the previous one is handled: the consumer needs about two such records of heap.
     */
    public static Map<String, Object> consumerProperties(String bootstrap, String clientId) {
        Map<String, Object> props = KafkaClients.consumer(bootstrap, null, clientId);
        int fetch = Topics.SERVICE_MODELS_MAX_MESSAGE_BYTES + (1 << 20); // the record plus its batch overhead
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetch);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetch);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16);
        // writing a few large models between two polls must not look like a dead consumer (no group, but be safe)
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
        return props;
    }

    public synchronized void start(String bootstrap) {
        int removed = models.removeLeftovers();
        if (removed > 0) {
            LOG.infof("models: removed %d temporary files of an earlier, interrupted run", removed);
        }
        consumer = new KafkaConsumer<>(consumerProperties(bootstrap, "vm-agent-models-" + provisioner.agentId()));
        caughtUp = false;
        running = true;
        thread = new Thread(this::run, "service-models");
        thread.setDaemon(true);
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

    /** True once the consumer has read the topic up to where it ended when the consumer started. */
    public boolean caughtUp() {
        return caughtUp && running;
    }

    public SkippedRecords skipped() {
        return skipped;
    }

    /** Model versions written to disk since this process started. */
    public long written() {
        return written.get();
    }

    /** Records whose version was on disk already, since this process started. */
    public long present() {
        return present.get();
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = consumer) {
            List<TopicPartition> partitions = c.partitionsFor(Topics.SERVICE_MODELS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            LOG.infof("models: reading %s from the beginning (%s records up to the end) into %s", Topics.SERVICE_MODELS,
                    end.values().stream().mapToLong(Long::longValue).sum(), models.root());
            checkCaughtUp(c, end);
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                    for (ConsumerRecord<String, byte[]> record : records) {
                        handle(record);
                    }
                    if (!caughtUp) {
                        checkCaughtUp(c, end);
                    }
                } catch (WakeupException e) {
                    // stop() was called
                }
            }
        } catch (WakeupException e) {
            // stopped while positioning
        } catch (RuntimeException e) {
            LOG.error("service-models consumer failed", e);
        } finally {
            caughtUp = false;
            LOG.info("service-models consumer stopped");
        }
    }

    private void checkCaughtUp(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        caughtUp = true;
        LOG.infof("models: caught up (%d written, %d already on disk, %d skipped)", written.get(), present.get(),
                skipped.count());
    }

    /** One record: write its model unless it is on disk already; never throws. */
    Outcome handle(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            LOG.debugf("models: tombstone for %s ignored", record.key());
            return Outcome.TOMBSTONE;
        }
        if (presentByKey(record.key())) {
            present.incrementAndGet();
            return Outcome.PRESENT;
        }
        ModelPublished published;
        byte[] model;
        try {
            published = decode(record);
            model = verifiedBytes(published);
        } catch (DecodeException e) {
            skipped.skip(record, e);
            return Outcome.SKIPPED;
        }
        try {
            if (models.isPresent(published.serviceId(), published.version())) {
                present.incrementAndGet();
                return Outcome.PRESENT;
            }
            models.install(published.serviceId(), published.version(), model);
            written.incrementAndGet();
            return Outcome.WRITTEN;
        } catch (IOException | RuntimeException e) {
            // the record is fine; the next start tries again, and a job needing it fails as retryable meanwhile
            LOG.errorf("models: the model of web service %s version %d could not be written: %s",
                    published.serviceId(), published.version(), e.toString());
            return Outcome.NOT_WRITTEN;
        }
    }

    /** The key is {@code serviceId:version}: a version on disk needs no decoding (a model record can be 90 MiB). */
    private boolean presentByKey(String key) {
        if (key == null) {
            return false;
        }
        int colon = key.lastIndexOf(':');
        if (colon <= 0) {
            return false;
        }
        try {
            return models.isPresent(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1)));
        } catch (IllegalArgumentException e) { // not a number, or not a usable service id: decoding will tell
            return false;
        }
    }

    private ModelPublished decode(ConsumerRecord<String, byte[]> record) {
        Envelope<ServiceModelEvent> envelope = CODEC.decode(record.value());
        if (!(envelope.data() instanceof ModelPublished published)) {
            throw new DecodeException("unexpected " + envelope.type() + " on " + Topics.SERVICE_MODELS, null);
        }
        if (published.version() < 1) {
            throw new DecodeException("model " + published.modelId() + ": version must be at least 1", null);
        }
        try {
            models.modelFile(published.serviceId(), published.version());
        } catch (IllegalArgumentException e) {
            throw new DecodeException("model " + published.modelId() + ": " + e.getMessage(), null);
        }
        return published;
    }

    private static byte[] verifiedBytes(ModelPublished published) {
        if (published.modelBase64() == null || published.sha256() == null) {
            throw new DecodeException("model " + published.modelId() + " has no bytes or no sha256", null);
        }
        byte[] bytes;
        try {
            bytes = published.model();
        } catch (IllegalArgumentException e) {
            throw new DecodeException("model " + published.modelId() + " is not valid base64: " + e.getMessage(), null);
        }
        String actual = sha256(bytes);
        if (!actual.equalsIgnoreCase(published.sha256())) {
            throw new DecodeException("model " + published.modelId() + ": sha256 of its " + bytes.length
                    + " bytes is " + actual + ", the record says " + published.sha256(), null);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
