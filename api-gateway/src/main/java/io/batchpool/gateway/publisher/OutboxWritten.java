package io.batchpool.gateway.publisher;

/** CDI event fired when a transaction wrote outbox rows; observed after commit to wake the relay at once. */
public record OutboxWritten() {
}
