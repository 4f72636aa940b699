package io.batchpool.contracts.job;

import java.time.Instant;

/** CANCELLED: by the client, or because the pool was deleted ({@code details} says which). */
public record JobCancelled(String jobId, String queueId, String details, Instant endedAt) implements JobEvent {
}
