package io.batchpool.dispatch.consumer;

import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.SlotEvent;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.pool.PoolDeletionStarted;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.dispatch.config.DispatcherConfig;
import io.batchpool.dispatch.domain.Decision;
import io.batchpool.dispatch.domain.JobDispatcher;
import io.batchpool.dispatch.service.SlotsView;
import io.batchpool.kit.BrokerOutage;
import io.batchpool.kit.KafkaClients;
import io.batchpool.kit.ReadTime;
import io.batchpool.kit.SkippedRecords;
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
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The single thread that owns the queues of its partitions. Its inputs are co-partitioned by pool (queue) id: job
 * commands, job reports, VM events and pool events. {@link JobDispatcher} decides; the decided job events,
 * assignments and slot events and the consumed offsets go to Kafka in ONE transaction. When partitions are
 * assigned, state is rebuilt: VM and pool facts and job specs from the inputs up to the committed offsets, job
 * state from the whole job-events partition (this processor's own output, consistent with those offsets).
 */
public class DispatchProcessor implements Runnable {
    private static final Logger LOG = Logger.getLogger(DispatchProcessor.class);
    private static final List<String> INPUTS = List.of(Topics.JOB_COMMANDS, Topics.JOB_REPORTS, Topics.VM_EVENTS,
            Topics.POOL_EVENTS);

    private final EventCodec<JobCommand> commands = new EventCodec<>(JobCommand.class);
    private final EventCodec<JobReport> reports = new EventCodec<>(JobReport.class);
    private final EventCodec<VmEvent> vmEvents = new EventCodec<>(VmEvent.class);
    private final EventCodec<PoolEvent> poolEvents = new EventCodec<>(PoolEvent.class);
    private final EventCodec<JobEvent> jobEvents = new EventCodec<>(JobEvent.class);
    private final EventCodec<Assignment> assignments = new EventCodec<>(Assignment.class);
    private final EventCodec<SlotEvent> slotEvents = new EventCodec<>(SlotEvent.class);

    private final String bootstrap;
    private final DispatcherConfig config;
    private final Clock clock;
    private final SlotsView view;
    private final SkippedRecords skipped;
    private final BrokerOutage outage;
    private final Set<Integer> owned = new HashSet<>();
    /** How often waits in read time are looked at (attempts told to commit on lost VMs). */
    private static final Duration TICK = Duration.ofSeconds(1);
    /**
     * Read time: reads come at least every tick while the broker answers (a poll with records, or the idle probe of
     * at most a second), so a longer gap is time this processor could not read.
     */
    private final ReadTime readTime = new ReadTime(Duration.ofSeconds(3));
    private JobDispatcher dispatcher;
    // volatile: stop() reaches them from another thread to end calls that wait for the broker
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile KafkaConsumer<String, byte[]> restoring;
    private volatile boolean running;
    private volatile boolean ready;

    public DispatchProcessor(String bootstrap, DispatcherConfig config, Clock clock, SlotsView view,
                             SkippedRecords skipped) {
        this.bootstrap = bootstrap;
        this.config = config;
        this.clock = clock;
        this.view = view;
        this.skipped = skipped;
        this.outage = new BrokerOutage(org.slf4j.LoggerFactory.getLogger(DispatchProcessor.class),
                "job-dispatcher assigns no job and frees no slot", clock);
    }

    public boolean isReady() {
        return ready;
    }

    /** Ends the processor without waiting for the broker ({@link KafkaClients#abandon}), quietly. */
    public void stop() {
        running = false;
        KafkaClients.abandon(producer, consumer, restoring);
    }

    @Override
    public void run() {
        running = true;
        while (running) {
            try {
                open();
                loop();
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                if (!running) {
                    LOG.debugf("stopped while waiting for the broker: %s", e.toString());
                } else if (BrokerOutage.explains(e)) {
                    outage.failed(e); // once per outage; the next open rebuilds from the log
                } else {
                    LOG.error("dispatch processor failed; rebuilding state and resuming", e);
                }
                if (running) {
                    sleep(1000);
                }
            } finally {
                ready = false;
                close();
            }
        }
    }

    private void open() {
        String instance = "job-dispatcher-" + config.instanceId().orElseGet(DispatchProcessor::hostName);
        dispatcher = newDispatcher();
        owned.clear();
        producer = new KafkaProducer<>(KafkaClients.transactionalProducer(bootstrap, instance));
        if (!running) { // stop() ran before it could see this producer
            return;
        }
        producer.initTransactions(); // fences a previous incarnation and aborts its open transaction
        Map<String, Object> c = KafkaClients.consumer(bootstrap, config.groupId(), instance);
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName()); // co-partitioned
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance);
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        consumer = new KafkaConsumer<>(c);
        consumer.subscribe(INPUTS, new Rebalance());
    }

    private JobDispatcher newDispatcher() {
        return new JobDispatcher(config.maxAttempts(), Map.of(config.classicQueueId(),
                config.classicMaxRunningPerService()), config.commitWait());
    }

    private void close() {
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
        while (running) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
            ready = !consumer.assignment().isEmpty();
            Instant now = clock.instant();
            boolean tick = !now.isBefore(nextTick);
            if (!records.isEmpty()) {
                outage.succeeded();
                readTime.read(now);
            } else if (tick && outage.probe(consumer, Duration.ofSeconds(1))) {
                // idle: is the broker there at all? (an outage is told once; polls alone fail silently)
                readTime.read(clock.instant());
            }
            Out out = new Out();
            Set<String> touched = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                handle(record, now, out, touched);
            }
            if (tick) {
                Decision waited = dispatcher.onTick(readTime.elapsed(), now);
                waited.events().forEach(e -> touched.add(e.data().queueId()));
                out.run(waited);
                nextTick = now.plus(TICK);
            }
            for (String queue : touched) {
                out.run(dispatcher.dispatch(queue, now));
            }
            if (!records.isEmpty() || !out.isEmpty()) {
                commit(records, out);
                touched.forEach(q -> dispatcher.capacity(q).ifPresent(view::put));
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, Instant now, Out out, Set<String> touched) {
        try {
            switch (record.topic()) {
                case Topics.JOB_COMMANDS -> {
                    Envelope<JobCommand> e = commands.decode(record.value());
                    if (e.data() instanceof SubmitJob submit) {
                        dispatcher.submitted(submit);
                    }
                    out.run(dispatcher.onCommand(e, now));
                    touched.add(e.data().queueId());
                }
                case Topics.JOB_REPORTS -> {
                    Envelope<JobReport> e = reports.decode(record.value());
                    out.run(dispatcher.onReport(e, now));
                    touched.add(e.data().queueId());
                }
                case Topics.VM_EVENTS -> {
                    Envelope<VmEvent> envelope = vmEvents.decode(record.value());
                    VmEvent e = envelope.data();
                    if (dispatcher.acceptVmEvent(e.poolId(), envelope.sequence()) && vmFact(e)) {
                        out.run(dispatcher.onVmLost(e.vmId(), ((VmDeleted) e).deletedAt(), now));
                    }
                    touched.add(e.poolId());
                }
                case Topics.POOL_EVENTS -> {
                    PoolEvent e = poolEvents.decode(record.value()).data();
                    if (e instanceof PoolDeletionStarted d) {
                        dispatcher.queueDeleting(d.poolId());
                        out.run(dispatcher.onQueueDeleted(d.poolId(), d.force(), now));
                    }
                }
                default -> LOG.warnf("record from unexpected topic %s", record.topic());
            }
        } catch (DecodeException e) {
            skipped.skip(record, e);
        }
    }

    /** Applies a VM event as a fact; true when the VM is gone (its jobs must be decided on). */
    private boolean vmFact(VmEvent e) {
        if (e instanceof VmProvisioned p) {
            dispatcher.vmReady(p.poolId(), p.vmId(), p.slots());
        } else if (e instanceof VmDrainStarted) {
            dispatcher.vmDraining(e.vmId());
        } else if (e instanceof VmDeleted) {
            dispatcher.vmGone(e.vmId());
            return true;
        }
        return false;
    }

    /** What one batch decided, applied to the dispatcher as it is collected. */
    private final class Out {
        final List<Envelope<JobEvent>> events = new ArrayList<>();
        final List<Assignment> assigned = new ArrayList<>();
        final List<Envelope<SlotEvent>> slots = new ArrayList<>();

        boolean isEmpty() {
            return events.isEmpty() && assigned.isEmpty() && slots.isEmpty();
        }

        void run(Decision d) {
            for (Envelope<JobEvent> e : d.events()) {
                dispatcher.apply(e);
            }
            events.addAll(d.events());
            assigned.addAll(d.assignments());
            slots.addAll(d.slots());
        }
    }

    private void commit(ConsumerRecords<String, byte[]> records, Out out) {
        producer.beginTransaction();
        try {
            Instant now = clock.instant();
            for (Envelope<JobEvent> e : out.events) {
                producer.send(new ProducerRecord<>(Topics.JOB_EVENTS, e.data().key(), jobEvents.encode(e)));
            }
            for (Assignment a : out.assigned) {
                producer.send(new ProducerRecord<>(Topics.ASSIGNMENTS, a.key(), assignments.encode(
                        Envelope.of(a, a.attempt(), now))));
            }
            for (Envelope<SlotEvent> e : out.slots) {
                producer.send(new ProducerRecord<>(Topics.SLOT_EVENTS, e.data().key(), slotEvents.encode(e)));
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
            try {
                producer.abortTransaction();
            } catch (RuntimeException ignored) {
                // fenced or broken: closing is all that is left
            }
            throw e; // the in-memory state holds events that are not in the log: run() rebuilds it
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // simplest correct answer: start over with a fresh dispatcher on the next assignment
            partitions.forEach(tp -> owned.remove(tp.partition()));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Set<Integer> all = new HashSet<>(owned);
            partitions.forEach(tp -> all.add(tp.partition()));
            if (!all.equals(owned)) {
                dispatcher = newDispatcher();
                rebuild(all);
                owned.clear();
                owned.addAll(all);
                dispatcher.queueIds().forEach(q -> dispatcher.capacity(q).ifPresent(view::put));
            }
        }
    }

    private void rebuild(Set<Integer> partitions) {
        long started = System.nanoTime();
        Map<TopicPartition, Long> committed = new HashMap<>();
        Set<TopicPartition> inputs = new HashSet<>();
        for (String topic : INPUTS) {
            for (int p : partitions) {
                inputs.add(new TopicPartition(topic, p));
            }
        }
        consumer.committed(inputs).forEach((tp, o) -> committed.put(tp, o == null ? 0L : o.offset()));
        inputs.forEach(tp -> committed.putIfAbsent(tp, 0L));
        Map<String, Object> c = KafkaClients.consumer(bootstrap, null, "job-dispatcher-restore");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        int[] count = {0};
        try (KafkaConsumer<String, byte[]> restore = new KafkaConsumer<>(c)) {
            restoring = restore;
            if (!running) {
                throw new WakeupException();
            }
            // facts first: VMs and deleting pools as of the committed input offsets
            readInputs(restore, Topics.VM_EVENTS, partitions, committed, r -> {
                Envelope<VmEvent> e = vmEvents.decode(r.value());
                if (dispatcher.acceptVmEvent(e.data().poolId(), e.sequence())) {
                    vmFact(e.data());
                }
            });
            readInputs(restore, Topics.POOL_EVENTS, partitions, committed, r -> {
                if (poolEvents.decode(r.value()).data() instanceof PoolDeletionStarted d) {
                    dispatcher.queueDeleting(d.poolId());
                }
            });
            // then the jobs, from this processor's own output
            List<TopicPartition> out = partitions.stream().map(p -> new TopicPartition(Topics.JOB_EVENTS, p)).toList();
            restore.assign(out);
            restore.seekToBeginning(out);
            readUntil(restore, restore.endOffsets(out), r -> {
                Envelope<JobEvent> e = jobEvents.decode(r.value());
                try {
                    dispatcher.apply(e);
                } catch (IllegalStateException | IllegalArgumentException illegal) {
                    // not written by a dispatcher (an impossible transition): skipped and counted, never a rebuild
                    // that fails forever
                    throw new DecodeException(e.type() + " of job " + e.aggregateId() + ": " + illegal.getMessage(),
                            illegal);
                }
                count[0]++;
            });
            // and the specs of jobs that may still run
            readInputs(restore, Topics.JOB_COMMANDS, partitions, committed, r -> {
                if (commands.decode(r.value()).data() instanceof SubmitJob s) {
                    dispatcher.submitted(s);
                }
            });
        } finally {
            restoring = null;
        }
        ready = true;
        LOG.infof("rebuilt partitions %s from %d job events in %d ms", partitions, count[0],
                (System.nanoTime() - started) / 1_000_000);
    }

    private void readInputs(KafkaConsumer<String, byte[]> restore, String topic, Set<Integer> partitions,
                            Map<TopicPartition, Long> committed, Consumer<ConsumerRecord<String, byte[]>> sink) {
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        Map<TopicPartition, Long> end = new HashMap<>();
        tps.forEach(tp -> end.put(tp, committed.get(tp)));
        restore.assign(tps);
        restore.seekToBeginning(tps);
        readUntil(restore, end, r -> {
            if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                sink.accept(r);
            }
        });
    }

    private void readUntil(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end,
                           Consumer<ConsumerRecord<String, byte[]>> sink) {
        while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                try {
                    sink.accept(r);
                } catch (DecodeException e) {
                    skipped.skip(r, e);
                }
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return Long.toString(ProcessHandle.current().pid());
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
