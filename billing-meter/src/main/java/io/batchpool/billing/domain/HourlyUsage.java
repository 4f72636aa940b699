package io.batchpool.billing.domain;

import java.time.Instant;

/** Billed milliseconds within one UTC hour {@code [hour, hour + 1h)} (clipped to the query range). */
public record HourlyUsage(Instant hour, long computeMillis) {
}
