package io.batchpool.pool.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How long each VM has been silent, judged from the log rather than from the reader's wall clock.
 *
 * <p>Log time moves only while the reader demonstrably reads: each {@link #read} (a batch of records, or a fetch
 * that proved the broker reachable) adds the time since the previous read, unless that gap is longer than
 * {@code maxStep}: then the reader could not read (a broker outage, a stalled process) and the gap adds nothing.
 * A VM is silent for the log time passed since it was last heard of, so while the reader is cut off no VM grows
 * silent, and after an outage every VM has a whole timeout of readable time to be heard again. A lone dead VM is
 * still found: the reader's own successful fetches move log time on without it.
 *
 * <p>Not part of the replayed state (heartbeats are not events): a new reader (a restart, a rebuilt partition)
 * counts every VM's silence from when it starts watching it. When a VM was last heard of in agent time (its
 * deletion time if it is lost) is refilled after a restart from the recent past of the report topic; a VM with no
 * report in that window counts as last seen at the window's start.
 */
public final class Liveness {
    private final Duration maxStep;
    private final Map<String, Instant> lastSeen = new HashMap<>();
    private final Map<String, Duration> heardAtLogTime = new HashMap<>();
    private Instant horizon = Instant.EPOCH;
    private Instant lastRead;
    private Duration logTime = Duration.ZERO;

    /** @param maxStep the longest gap between two reads that still counts as time seen passing in the log */
    public Liveness(Duration maxStep) {
        if (maxStep.isNegative() || maxStep.isZero()) {
            throw new IllegalArgumentException("maxStep must be positive: " + maxStep);
        }
        this.maxStep = maxStep;
    }

    /** The reader read from the broker at {@code at} (its own clock): log time moves on by the gap since the last read. */
    public void read(Instant at) {
        if (lastRead != null && at.isAfter(lastRead)) {
            Duration gap = Duration.between(lastRead, at);
            if (gap.compareTo(maxStep) <= 0) {
                logTime = logTime.plus(gap);
            }
        }
        if (lastRead == null || at.isAfter(lastRead)) {
            lastRead = at;
        }
    }

    /** A report from the VM, stamped {@code at} by its agent. */
    public void observe(String vmId, Instant at) {
        lastSeen.merge(vmId, at, (a, b) -> a.isAfter(b) ? a : b);
        heardAtLogTime.put(vmId, logTime);
    }

    /** Counts the VM's silence from now: this reader has just started watching it (after a rebuild). */
    public void watchFromNow(String vmId) {
        heardAtLogTime.put(vmId, logTime);
    }

    /** Reports older than this instant were not looked at (set after a restart). */
    public void setHorizon(Instant horizon) {
        this.horizon = horizon;
    }

    /** When the VM was last heard of, in agent time: its deletion time if it is declared lost. */
    public Instant lastSeen(Vm vm) {
        Instant seen = lastSeen.get(vm.vmId());
        Instant floor = vm.provisionedAt() != null && vm.provisionedAt().isAfter(horizon) ? vm.provisionedAt() : horizon;
        return seen == null || seen.isBefore(floor) ? floor : seen;
    }

    /**
     * Log time passed since the VM was last heard of; a VM this reader has not heard of yet is watched from the
     * first time it is asked about.
     */
    public Duration silence(Vm vm) {
        return logTime.minus(heardAtLogTime.computeIfAbsent(vm.vmId(), id -> logTime));
    }

    public void forget(String vmId) {
        lastSeen.remove(vmId);
        heardAtLogTime.remove(vmId);
    }
}
