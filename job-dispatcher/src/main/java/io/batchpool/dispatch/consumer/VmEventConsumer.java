package io.batchpool.dispatch.consumer;

import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.dispatch.config.DispatcherConfig;
import io.batchpool.dispatch.domain.DispatchBoard;
import io.batchpool.dispatch.service.SlotsView;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.SkippedRecords;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds the {@link DispatchBoard} from {@link Topics#VM_EVENTS} (key: pool id) on its own thread, the board's
 * only owner: every partition is assigned manually and read from the beginning at each start, so no offsets are
 * committed. The end offsets seen at start mark "caught up" (readiness). Snapshots (board + offsets) come with
 * the jobs issue, so that start-up does not replay an ever-growing log.
 */
@ApplicationScoped
public class VmEventConsumer {
    private static final Logger LOG = Logger.getLogger(VmEventConsumer.class);
    private static final EventCodec<VmEvent> CODEC = new EventCodec<>(VmEvent.class);

    private final DispatcherConfig config;
    private final SlotsView view;
    private final DispatchBoard board = new DispatchBoard();
    private final SkippedRecords skipped = new SkippedRecords();

    private volatile boolean running;
    private volatile boolean caughtUp;
    private volatile long applied;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public VmEventConsumer(DispatcherConfig config, SlotsView view) {
        this.config = config;
        this.view = view;
    }

    public synchronized void start(String bootstrap) {
        consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, config.groupId(), "job-dispatcher-vm-events"));
        running = true;
        thread = new Thread(this::run, "vm-events");
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

    /** True once every partition was read up to the end offset it had when this service started. */
    public boolean caughtUp() {
        return caughtUp && running;
    }

    public long applied() {
        return applied;
    }

    public SkippedRecords skipped() {
        return skipped;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = consumer) {
            List<TopicPartition> partitions = c.partitionsFor(Topics.VM_EVENTS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            // read_committed: the end offsets are the last stable offsets, which is what a reader can reach
            Map<TopicPartition, Long> startEnd = c.endOffsets(partitions);
            LOG.infof("vm events: replaying %d partitions up to %s", partitions.size(), startEnd);
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                    if (!records.isEmpty()) {
                        handle(records);
                    }
                    if (!caughtUp && startEnd.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                        caughtUp = true;
                        LOG.infof("vm events: caught up (%d events applied, %d pools)", applied, view.size());
                    }
                } catch (WakeupException e) {
                    // stop() was called
                }
            }
        } catch (RuntimeException e) {
            LOG.error("vm events consumer failed; readiness stays DOWN", e);
        } finally {
            running = false;
            LOG.info("vm events consumer stopped");
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        Set<String> touched = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Envelope<VmEvent> envelope;
            try {
                envelope = CODEC.decode(record.value());
            } catch (DecodeException e) {
                skipped.skip(record, e);
                continue;
            }
            if (board.apply(envelope)) {
                applied++;
                touched.add(envelope.data().poolId());
            }
        }
        touched.forEach(pool -> board.capacity(pool).ifPresent(view::put));
    }
}
