package io.batchpool.e2e;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.SharedBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The VM lifecycle as the log of record tells it (topic {@code batchpool.vm-events.v1}, read committed): the
 * independent truth that tests compare billing and pool views against.
 */
public final class VmEventLog {
    private VmEventLog() {
    }

    public static List<Envelope<VmEvent>> read(Set<String> poolIds) {
        return read(SharedBroker.bootstrap(), poolIds);
    }

    /** {@link #read(Set)} on the broker at {@code bootstrap}. */
    public static List<Envelope<VmEvent>> read(String bootstrap, Set<String> poolIds) {
        EventCodec<VmEvent> codec = new EventCodec<>(VmEvent.class);
        List<Envelope<VmEvent>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                KafkaClients.consumer(bootstrap, null, "e2e-vm-event-log"))) {
            List<TopicPartition> tps = IntStream.range(0, Topics.POOL_PARTITIONS)
                    .mapToObj(p -> new TopicPartition(Topics.VM_EVENTS, p)).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (poolIds.contains(r.key())) {
                        out.add(codec.decode(r.value()));
                    }
                }
            }
        }
        return out;
    }

    /** Billed milliseconds of the pools' VMs up to {@code until}, computed from the log alone. */
    public static long billedMillis(List<Envelope<VmEvent>> log, Instant until) {
        Map<String, Instant> start = new java.util.HashMap<>();
        Map<String, Instant> end = new java.util.HashMap<>();
        for (Envelope<VmEvent> e : log) {
            if (e.data() instanceof VmProvisioned p) {
                start.putIfAbsent(p.vmId(), p.provisionedAt());
            } else if (e.data() instanceof VmDeleted d && d.wasProvisioned()) {
                end.putIfAbsent(d.vmId(), d.deletedAt());
            }
        }
        long total = 0;
        for (Map.Entry<String, Instant> s : start.entrySet()) {
            Instant e = end.getOrDefault(s.getKey(), until);
            Instant stop = e.isAfter(until) ? until : e;
            if (stop.isAfter(s.getValue())) {
                total += Duration.between(s.getValue(), stop).toMillis();
            }
        }
        return total;
    }
}
