package io.batchpool.agent;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's clock in {@code @QuarkusTest}s: the system clock plus an offset that tests move forward (never back),
 * so that a test can let time pass for the agent (e.g. beyond a job's run-time limit) without waiting for it.
 * Replaces {@code ClockProducer}'s clock for every test of this module; with no offset it is the system clock.
 */
@Alternative
@Priority(1)
@Singleton
public class AdjustableClock extends Clock {
    private final AtomicLong offsetMillis = new AtomicLong();

    /** From now on the agent's time is {@code by} later than it was. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward");
        }
        offsetMillis.addAndGet(by.toMillis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.offset(Clock.system(zone), Duration.ofMillis(offsetMillis.get()));
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }
}
