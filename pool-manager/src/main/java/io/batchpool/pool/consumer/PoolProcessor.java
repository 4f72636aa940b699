package io.batchpool.pool.consumer;

import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.SlotEvent;
import io.batchpool.contracts.job.VmBusy;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.kit.BrokerOutage;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.SkippedRecords;
import io.batchpool.kit.TopicBootstrap;
import io.batchpool.pool.config.PoolManagerConfig;
import io.batchpool.pool.domain.Decision;
import io.batchpool.pool.domain.Liveness;
import io.batchpool.pool.domain.Pool;
import io.batchpool.pool.domain.PoolFleet;
import io.batchpool.pool.domain.Vm;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The single thread that owns the pools of its partitions. It reads pool commands and VM reports (co-partitioned
 * by pool id), lets {@link PoolFleet} decide, and appends the decided events, the provisioner commands and the
 * consumed offsets in ONE Kafka transaction. State is never stored elsewhere: when partitions are assigned it is
 * rebuilt by replaying that partition of the pool and VM event topics, so a crash at any instant loses nothing
 * (uncommitted work is aborted and redone) and doubles nothing (committed inputs are not read again).
 */
@ApplicationScoped
public class PoolProcessor implements Runnable {
    private static final Logger LOG = Logger.getLogger(PoolProcessor.class);

    private final EventCodec<PoolCommand> commands = new EventCodec<>(PoolCommand.class);
    private final EventCodec<VmReport> reports = new EventCodec<>(VmReport.class);
    private final EventCodec<PoolEvent> poolEvents = new EventCodec<>(PoolEvent.class);
    private final EventCodec<VmEvent> vmEvents = new EventCodec<>(VmEvent.class);
    private final EventCodec<ProvisionerCommand> provisioner = new EventCodec<>(ProvisionerCommand.class);
    private final EventCodec<SlotEvent> slotEvents = new EventCodec<>(SlotEvent.class);

    private final PoolFleet fleet = new PoolFleet();
    /** A probe that takes longer counts as no answer (log time stands still meanwhile; see {@link #probe}). */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private final Liveness liveness;
    private final BrokerOutage outage;
    private final SkippedRecords skipped = new SkippedRecords();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Set<Integer> ownedPartitions = new HashSet<>();
    /** Draining idle VMs found by a rebuild: asked to stop again (harmless if they already were). */
    private final List<Vm> pendingStops = new ArrayList<>();
    private volatile boolean ready;
    private volatile Map<String, PoolView> views = Map.of();

    private final String bootstrap;
    private final PoolManagerConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;
    // volatile: stop() reaches them from another thread to end calls that wait for the broker
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile KafkaConsumer<String, byte[]> restoring;
    private Thread thread;

    private final short replicationFactor;

    public PoolProcessor(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                         @ConfigProperty(name = "batchpool.kafka.replication-factor", defaultValue = "1") short replicationFactor,
                         PoolManagerConfig config, Clock clock, MeterRegistry metrics) {
        this.bootstrap = bootstrap;
        this.replicationFactor = replicationFactor;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.liveness = new Liveness(readGap(config));
        this.outage = new BrokerOutage(org.slf4j.LoggerFactory.getLogger(PoolProcessor.class),
                "pool-manager decides nothing and declares no VM lost", clock);
    }

    /**
     * The longest gap between two reads that still counts as log time: reads come at least every tick while the
     * broker answers, so a longer gap means this reader could not read (see {@link Liveness}). At least 1 s, so
     * that a busy machine's slow poll still counts; at most a third of the timeout is ever counted for a gap.
     */
    static Duration readGap(PoolManagerConfig config) {
        return java.util.stream.Stream.of(config.heartbeatTimeout().dividedBy(3),
                config.tickInterval().multipliedBy(2), Duration.ofSeconds(1)).max(Duration::compareTo).orElseThrow();
    }

    /** What the REST API shows: an immutable copy refreshed after each processed batch. */
    public record PoolView(Pool pool, List<Vm> vms) {
    }

    void start(@Observes StartupEvent event) {
        metrics.gauge("batchpool.records.skipped", skipped, SkippedRecords::count);
        TopicBootstrap.ensureTopics(bootstrap, replicationFactor);
        running.set(true);
        thread = new Thread(this, "pool-processor");
        thread.start();
    }

    /** Ends the processor without waiting for the broker ({@link KafkaClients#abandon}), quietly. */
    void stop(@Observes ShutdownEvent event) {
        running.set(false);
        KafkaClients.abandon(producer, consumer, restoring);
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isReady() {
        return ready;
    }

    public long skippedRecords() {
        return skipped.count();
    }

    public Map<String, PoolView> views() {
        return views;
    }

    @Override
    public void run() {
        while (running.get()) {
            try {
                openClients();
                loop();
            } catch (WakeupException e) {
                if (running.get()) {
                    LOG.warn("woken up while running; restarting the processor");
                }
            } catch (RuntimeException e) {
                if (!running.get()) {
                    LOG.debugf("stopped while waiting for the broker: %s", e.toString());
                } else if (BrokerOutage.explains(e)) {
                    outage.failed(e); // once per outage; nothing is decided until the broker answers again
                } else {
                    LOG.error("pool processor failed; rebuilding state and resuming", e);
                }
                if (running.get()) {
                    sleep(1000);
                }
            } finally {
                ready = false;
                closeClients();
            }
        }
    }

    private void openClients() {
        String instance = config.instanceId().orElseGet(PoolProcessor::hostName);
        producer = new KafkaProducer<>(KafkaClients.transactionalProducer(bootstrap, "pool-manager-" + instance));
        if (!running.get()) { // stop() ran before it could see this producer
            return;
        }
        producer.initTransactions(); // fences a previous incarnation and aborts its open transaction
        Map<String, Object> c = KafkaClients.consumer(bootstrap, "pool-manager", "pool-manager-" + instance);
        // co-partitioned topics: partition p of both inputs must land on the same instance
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // static membership: a restarted instance takes its partitions back at once instead of after a session timeout
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "pool-manager-" + instance);
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        consumer = new KafkaConsumer<>(c);
        ownedPartitions.clear();
        fleet.forget(id -> true);
        consumer.subscribe(List.of(Topics.POOL_COMMANDS, Topics.VM_REPORTS, Topics.SLOT_EVENTS), new Rebalance());
    }

    private void closeClients() {
        if (consumer != null) {
            // offsets travel in the producer's transactions: nothing to commit on close, so no long wait for a broker
            // that may be away
            KafkaConsumer<String, byte[]> c = consumer;
            Utils.closeQuietly(() -> c.close(Duration.ofSeconds(1)), "consumer");
            consumer = null;
        }
        if (producer != null) {
            // forced: a transaction left open (its commit timed out in an outage) is aborted by the next producer's
            // initTransactions; a graceful close would try to abort it and log an ERROR from the client's I/O thread
            var p = producer;
            Utils.closeQuietly(() -> p.close(Duration.ZERO), "producer");
            producer = null;
        }
    }

    private void loop() {
        Instant nextTick = clock.instant();
        while (running.get()) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
            ready = !consumer.assignment().isEmpty();
            Instant now = clock.instant();
            if (!records.isEmpty()) {
                read(now);
            }
            List<Envelope<Message>> events = new ArrayList<>();
            List<ProvisionerCommand> toProvisioner = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                Decision decision = decide(record, now);
                apply(decision, events, toProvisioner);
            }
            for (Vm vm : pendingStops) {
                apply(fleet.onVmIdle(vm.poolId(), vm.vmId()), events, toProvisioner);
            }
            pendingStops.clear();
            if (!now.isBefore(nextTick)) {
                if (records.isEmpty()) {
                    probe();
                }
                apply(fleet.onTick(now, liveness, config.heartbeatTimeout(), config.provisionTimeout()), events,
                        toProvisioner);
                nextTick = now.plus(config.tickInterval());
            }
            if (!records.isEmpty() || !events.isEmpty() || !toProvisioner.isEmpty()) {
                commit(records, events, toProvisioner);
                refreshViews();
            }
        }
    }

    /** A read succeeded at {@code at}: log time moves on, and an outage in progress is over. */
    private void read(Instant at) {
        liveness.read(at);
        outage.succeeded();
    }

    /**
     * Nothing came in since the last tick: ask the broker for the end of the owned partitions. An answer proves the
     * log readable (log time moves on, so a VM that went silent is found even when no other VM reports); no answer
     * means the broker is unreachable and time in the log stands still.
     */
    private void probe() {
        if (outage.probe(consumer, PROBE_TIMEOUT)) {
            read(clock.instant());
        }
    }

    private Decision decide(ConsumerRecord<String, byte[]> record, Instant now) {
        try {
            if (record.topic().equals(Topics.POOL_COMMANDS)) {
                return fleet.onCommand(commands.decode(record.value()), now);
            }
            if (record.topic().equals(Topics.SLOT_EVENTS)) {
                SlotEvent slot = slotEvents.decode(record.value()).data();
                if (slot instanceof VmBusy) {
                    fleet.vmBusy(slot.vmId());
                    return Decision.NONE;
                }
                fleet.vmIdle(slot.vmId());
                return fleet.onVmIdle(slot.poolId(), slot.vmId());
            }
            Envelope<VmReport> report = reports.decode(record.value());
            liveness.observe(report.data().vmId(), report.occurredAt());
            return fleet.onReport(report, now);
        } catch (DecodeException e) {
            skipped.skip(record, e);
            return Decision.NONE;
        }
    }

    private void apply(Decision decision, List<Envelope<Message>> events, List<ProvisionerCommand> toProvisioner) {
        for (Envelope<Message> e : decision.events()) {
            fleet.apply(e);
        }
        events.addAll(decision.events());
        toProvisioner.addAll(decision.provisionerCommands());
    }

    @SuppressWarnings("unchecked")
    private void commit(ConsumerRecords<String, byte[]> records, List<Envelope<Message>> events,
                        List<ProvisionerCommand> toProvisioner) {
        producer.beginTransaction();
        try {
            for (Envelope<Message> e : events) {
                if (e.data() instanceof PoolEvent) {
                    producer.send(new ProducerRecord<>(Topics.POOL_EVENTS, e.aggregateId(),
                            poolEvents.encode((Envelope<PoolEvent>) (Envelope<?>) e)));
                } else {
                    producer.send(new ProducerRecord<>(Topics.VM_EVENTS, e.aggregateId(),
                            vmEvents.encode((Envelope<VmEvent>) (Envelope<?>) e)));
                }
            }
            Instant now = clock.instant();
            for (ProvisionerCommand c : toProvisioner) {
                producer.send(new ProducerRecord<>(Topics.PROVISIONER_COMMANDS, c.vmId(),
                        provisioner.encode(Envelope.of(c, c instanceof io.batchpool.contracts.vm.ProvisionVm ? 1 : 2, now))));
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<String, byte[]>> list = records.records(tp);
                offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // the in-memory state already holds events that are not in the log: throw, so that run() rebuilds
            try {
                producer.abortTransaction();
            } catch (RuntimeException ignored) {
                // fenced or broken producer: closing it is all that is left
            }
            throw e;
        }
    }

    private void refreshViews() {
        Map<String, PoolView> next = new HashMap<>();
        for (String id : fleet.poolIds()) {
            next.put(id, new PoolView(fleet.pool(id), List.copyOf(fleet.vms(id).values())));
        }
        views = Map.copyOf(next);
    }

    /** Rebuild a partition's pools from the event topics when it is assigned; forget them when it goes. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Set<Integer> gone = new HashSet<>();
            partitions.forEach(tp -> gone.add(tp.partition()));
            ownedPartitions.removeAll(gone);
            fleet.forget(poolId -> gone.contains(partitionOf(poolId)));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Set<Integer> added = new HashSet<>();
            for (TopicPartition tp : partitions) {
                if (ownedPartitions.add(tp.partition())) {
                    added.add(tp.partition());
                }
            }
            if (!added.isEmpty()) {
                rebuild(added);
                refreshViews();
            }
        }
    }

    private static int partitionOf(String poolId) {
        return Utils.toPositive(Utils.murmur2(poolId.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % Topics.POOL_PARTITIONS;
    }

    private void rebuild(Set<Integer> partitions) {
        long started = System.nanoTime();
        Map<String, Object> c = KafkaClients.consumer(bootstrap, null, "pool-manager-restore");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<Envelope<Message>> history = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> restore = new KafkaConsumer<>(c)) {
            restoring = restore;
            if (!running.get()) {
                throw new WakeupException();
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (int p : partitions) {
                tps.add(new TopicPartition(Topics.POOL_EVENTS, p));
                tps.add(new TopicPartition(Topics.VM_EVENTS, p));
            }
            readAll(restore, tps, record -> {
                try {
                    Envelope<? extends Message> e = record.topic().equals(Topics.POOL_EVENTS)
                            ? poolEvents.decode(record.value()) : vmEvents.decode(record.value());
                    @SuppressWarnings("unchecked")
                    Envelope<Message> m = (Envelope<Message>) e;
                    history.add(m);
                } catch (DecodeException e) {
                    skipped.skip(record, e);
                }
            });
            // both topics hold one pool's events under one sequence: merge them back into that order
            history.sort(Comparator.comparing((Envelope<Message> e) -> e.aggregateId())
                    .thenComparingLong(Envelope::sequence));
            history.forEach(fleet::apply);
            // this reader starts watching the rebuilt VMs now: a restart (or an outage) is no one's silence
            for (String poolId : fleet.poolIds()) {
                if (partitions.contains(partitionOf(poolId))) {
                    fleet.vms(poolId).keySet().forEach(liveness::watchFromNow);
                }
            }

            // which VMs run jobs: slot events up to what this group has consumed (the rest comes live)
            List<TopicPartition> slotTps = partitions.stream()
                    .map(p -> new TopicPartition(Topics.SLOT_EVENTS, p)).toList();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(slotTps));
            restore.assign(slotTps);
            restore.seekToBeginning(slotTps);
            Map<TopicPartition, Long> slotEnd = new HashMap<>();
            for (TopicPartition tp : slotTps) {
                OffsetAndMetadata o = committed.get(tp);
                slotEnd.put(tp, o == null ? 0L : o.offset());
            }
            readUntil(restore, slotEnd, record -> {
                if (record.offset() >= slotEnd.get(new TopicPartition(record.topic(), record.partition()))) {
                    return;
                }
                try {
                    SlotEvent slot = slotEvents.decode(record.value()).data();
                    if (slot instanceof VmBusy) {
                        fleet.vmBusy(slot.vmId());
                    } else {
                        fleet.vmIdle(slot.vmId());
                    }
                } catch (DecodeException e) {
                    skipped.skip(record, e);
                }
            });
            pendingStops.addAll(fleet.idleDrainingVms());

            // when each VM was last heard of: back through the reports until every VM's last one is found
            Instant now = clock.instant();
            int windows = 0;
            for (int p : partitions) {
                List<Vm> vms = fleet.poolIds().stream().filter(id -> partitionOf(id) == p)
                        .flatMap(id -> fleet.vms(id).values().stream()).toList();
                windows += liveness.refill(vms, new ReportTopicHistory(restore, new TopicPartition(Topics.VM_REPORTS, p)),
                        now, config.heartbeatTimeout());
            }
            LOG.debugf("VM reports read back in %d windows", windows);
        } finally {
            restoring = null;
        }
        LOG.infof("rebuilt partitions %s from %d events in %d ms", partitions, history.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private static void readAll(KafkaConsumer<String, byte[]> c, List<TopicPartition> tps,
                                java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink) {
        c.assign(tps);
        c.seekToBeginning(tps);
        readUntil(c, c.endOffsets(tps), sink);
    }

    private static void readUntil(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end,
                                  java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink) {
        while (true) {
            boolean done = true;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                if (c.position(e.getKey()) < e.getValue()) {
                    done = false;
                    break;
                }
            }
            if (done) {
                return;
            }
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                sink.accept(r);
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
