package io.batchpool.gateway.publisher;

import java.time.Instant;

/** One outbox row to write: the record the relay sends (topic, key, encoded envelope) and when it was made. */
public record OutboxRow(String topic, String recordKey, byte[] payload, Instant createdAt) {
}
