package io.batchpool.kit;

import io.batchpool.contracts.DecodeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts records a consumer could not decode or did not know and skipped: they are logged and never block a
 * partition. Services expose {@link #count()} as the metric {@code batchpool_records_skipped_total}; tests assert
 * it stays zero.
 */
public final class SkippedRecords {
    private static final Logger LOG = LoggerFactory.getLogger(SkippedRecords.class);
    private final AtomicLong count = new AtomicLong();

    public void skip(ConsumerRecord<?, ?> record, DecodeException e) {
        count.incrementAndGet();
        LOG.warn("skipped record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
    }

    public long count() {
        return count.get();
    }
}
