package io.batchpool.pool.consumer;

import io.batchpool.contracts.DecodeException;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.pool.domain.Liveness;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One partition of the VM report topic read backwards in windows of time for {@link Liveness#refill}: each window
 * is located by record timestamp ({@code offsetsForTimes}) and read from there up to where the previous (newer)
 * window began, so every record is read at most once.
 */
final class ReportTopicHistory implements Liveness.ReportHistory {
    private final EventCodec<VmReport> reports = new EventCodec<>(VmReport.class);
    private final KafkaConsumer<String, byte[]> consumer;
    private final TopicPartition partition;
    private final long start;
    /** Where the newest window not yet read ends (exclusive): the partition's end, then each window's start. */
    private long upTo;

    ReportTopicHistory(KafkaConsumer<String, byte[]> consumer, TopicPartition partition) {
        this.consumer = consumer;
        this.partition = partition;
        consumer.assign(List.of(partition)); // offset look-ups of a partition not assigned are warned about
        this.start = consumer.beginningOffsets(List.of(partition)).get(partition);
        this.upTo = consumer.endOffsets(List.of(partition)).get(partition);
    }

    @Override
    public boolean readFrom(Instant from, BiConsumer<String, Instant> report) {
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(
                Map.of(partition, Math.max(0, from.toEpochMilli())));
        OffsetAndTimestamp first = found.get(partition);
        long begin = Math.max(start, Math.min(upTo, first == null ? upTo : first.offset())); // null: all are older
        if (begin < upTo) {
            consumer.seek(partition, begin);
            long end = upTo;
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end) {
                        break;
                    }
                    try {
                        Envelope<VmReport> e = reports.decode(r.value());
                        report.accept(e.data().vmId(), e.occurredAt());
                    } catch (DecodeException e) {
                        // counted when the live loop reads it
                    }
                }
            }
        }
        upTo = begin;
        return begin > start;
    }
}
