package io.batchpool.kit;

import java.time.Duration;
import java.time.Instant;

/**
 * How long a processor has demonstrably been reading its inputs: each {@link #read} (a poll that returned records, or
 * a probe the broker answered) adds the time since the previous one, unless that gap is longer than {@code maxStep}:
 * then the reader could not read (a broker outage, a stalled process) and the gap adds nothing. A wait measured in
 * read time ("nothing came for a minute") cannot expire while the records that would end it were unreadable.
 * Not thread-safe: owned by the processor's thread.
 */
public final class ReadTime {
    private final Duration maxStep;
    private Instant lastRead;
    private Duration elapsed = Duration.ZERO;

    /** @param maxStep the longest gap between two reads that still counts as time seen passing */
    public ReadTime(Duration maxStep) {
        if (maxStep.isNegative() || maxStep.isZero()) {
            throw new IllegalArgumentException("maxStep must be positive: " + maxStep);
        }
        this.maxStep = maxStep;
    }

    /** The processor read from the broker at {@code at} (its own clock). */
    public void read(Instant at) {
        if (lastRead != null && at.isAfter(lastRead)) {
            Duration gap = Duration.between(lastRead, at);
            if (gap.compareTo(maxStep) <= 0) {
                elapsed = elapsed.plus(gap);
            }
        }
        if (lastRead == null || at.isAfter(lastRead)) {
            lastRead = at;
        }
    }

    /** Read time so far: only ever grows. */
    public Duration elapsed() {
        return elapsed;
    }
}
