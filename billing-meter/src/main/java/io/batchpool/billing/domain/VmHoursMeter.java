package io.batchpool.billing.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Adds up VM-hours: each VM is billed from provisioning until deletion, whatever runs on it, so 2 VMs for 24 h
 * and 4 VMs for 12 h are both 48 compute hours. A pure function of the intervals, the range and {@code now}
 * (which only bounds intervals that are still open); it works in whole milliseconds.
 */
public final class VmHoursMeter {
    public static final long HOUR_MILLIS = 3_600_000L;
    /** The most hourly buckets one answer may hold (about 11.4 years). */
    public static final long MAX_HOURLY_BUCKETS = 100_000L;

    /** The start of the UTC hour containing {@code t}. */
    public static Instant floorHour(Instant t) {
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), HOUR_MILLIS) * HOUR_MILLIS);
    }

    /** How many UTC hours overlap {@code [from, to)}. */
    public static long hourBuckets(Instant from, Instant to) {
        if (!to.isAfter(from)) {
            return 0;
        }
        long base = floorHour(from).toEpochMilli();
        long span = to.toEpochMilli() - base;
        return span <= 0 ? 0 : Math.floorDiv(span + HOUR_MILLIS - 1, HOUR_MILLIS);
    }

    /**
     * @param from   inclusive start of the range
     * @param to     exclusive end of the range; must not be before {@code from}
     * @param now    the current time: open intervals are billed up to {@code min(now, to)}
     * @param hourly whether to break the total down by UTC hour (at most {@link #MAX_HOURLY_BUCKETS} hours)
     */
    public Usage measure(Collection<VmInterval> intervals, Instant from, Instant to, Instant now, boolean hourly) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(now, "now");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range ends before it starts: " + from + " .. " + to);
        }
        long buckets = hourly ? hourBuckets(from, to) : 0;
        if (buckets > MAX_HOURLY_BUCKETS) {
            throw new IllegalArgumentException("range of " + buckets + " hours exceeds " + MAX_HOURLY_BUCKETS);
        }
        long base = floorHour(from).toEpochMilli();
        long[] partial = new long[(int) buckets + 1];
        long[] fullHoursDelta = new long[(int) buckets + 2]; // difference array: whole hours cost O(1) per interval

        Instant runningAt = now.isBefore(to) ? now : to;
        long total = 0;
        Set<String> billedVms = new HashSet<>();
        Set<String> runningVms = new HashSet<>();
        for (VmInterval interval : intervals) {
            long s = Math.max(interval.start().toEpochMilli(), from.toEpochMilli());
            long e = Math.min(interval.billedUntil(now).toEpochMilli(), to.toEpochMilli());
            if (interval.runningAt(runningAt)) {
                runningVms.add(interval.vmId());
            }
            if (e <= s) {
                continue;
            }
            total += e - s;
            billedVms.add(interval.vmId());
            if (hourly) {
                int first = (int) ((s - base) / HOUR_MILLIS);
                int last = (int) ((e - 1 - base) / HOUR_MILLIS);
                if (first == last) {
                    partial[first] += e - s;
                } else {
                    partial[first] += base + (first + 1) * HOUR_MILLIS - s;
                    partial[last] += e - (base + last * HOUR_MILLIS);
                    fullHoursDelta[first + 1] += HOUR_MILLIS;
                    fullHoursDelta[last] -= HOUR_MILLIS;
                }
            }
        }
        List<HourlyUsage> breakdown = new ArrayList<>((int) buckets);
        long full = 0;
        for (int i = 0; i < buckets; i++) {
            full += fullHoursDelta[i];
            breakdown.add(new HourlyUsage(Instant.ofEpochMilli(base + i * HOUR_MILLIS), partial[i] + full));
        }
        return new Usage(from, to, total, billedVms.size(), runningVms.size(), breakdown);
    }
}
