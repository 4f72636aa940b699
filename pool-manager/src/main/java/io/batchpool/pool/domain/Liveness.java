package io.batchpool.pool.domain;

import io.batchpool.kit.ReadTime;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

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
 * deletion time if it is lost) is refilled after a restart from the report topic by {@link #refill}, which reads
 * back until it has found every VM's last report: a VM that died while pool-manager was stopped is billed until its
 * last report, never for downtime it did not run.
 */
public final class Liveness {
    private final ReadTime readTime;
    private final Map<String, Instant> lastSeen = new HashMap<>();
    private final Map<String, Duration> heardAtLogTime = new HashMap<>();

    /** @param maxStep the longest gap between two reads that still counts as time seen passing in the log */
    public Liveness(Duration maxStep) {
        this.readTime = new ReadTime(maxStep);
    }

    /** The reader read from the broker at {@code at} (its own clock): log time moves on by the gap since the last read. */
    public void read(Instant at) {
        readTime.read(at);
    }

    /** A report from the VM, stamped {@code at} by its agent. */
    public void observe(String vmId, Instant at) {
        lastSeen.merge(vmId, at, (a, b) -> a.isAfter(b) ? a : b);
        heardAtLogTime.put(vmId, readTime.elapsed());
    }

    /** Counts the VM's silence from now: this reader has just started watching it (after a rebuild). */
    public void watchFromNow(String vmId) {
        heardAtLogTime.put(vmId, readTime.elapsed());
    }

    /** The report history of a partition, read backwards in windows (newest first) by {@link #refill}. */
    public interface ReportHistory {
        /**
         * Feeds the VM id and agent time of every report stamped at or after {@code from} that was not fed before
         * (the newer windows were read already).
         *
         * @return false when the history holds nothing older than {@code from}: its start has been read
         */
        boolean readFrom(Instant from, BiConsumer<String, Instant> report);
    }

    /**
     * After a restart: learns from the report history when each of the {@code vms} was last heard of. It reads the
     * reports of the last {@code firstWindow} before {@code now}, then of a window twice as long, and so on, until
     * every provisioned VM has a report in what was read or was provisioned within the window (its VmBooted report
     * is in it). Each report is read once and the number of windows grows with the logarithm of the oldest silence,
     * so the work is bounded by the history since the oldest VM's last report. When the history's start is reached
     * first (reports are kept a day), a VM with no report left counts as last seen at the oldest report kept, at the
     * earliest its provisioning.
     *
     * @return the number of windows read
     */
    public int refill(Collection<Vm> vms, ReportHistory history, Instant now, Duration firstWindow) {
        if (firstWindow.isNegative() || firstWindow.isZero()) {
            throw new IllegalArgumentException("firstWindow must be positive: " + firstWindow);
        }
        Instant[] oldest = {null};
        BiConsumer<String, Instant> feed = (vmId, at) -> {
            observe(vmId, at);
            if (oldest[0] == null || at.isBefore(oldest[0])) {
                oldest[0] = at;
            }
        };
        Duration window = firstWindow;
        int windows = 0;
        while (true) {
            Instant from = Duration.between(Instant.EPOCH, now).compareTo(window) > 0 ? now.minus(window) : Instant.EPOCH;
            windows++;
            boolean older = history.readFrom(from, feed) && from.isAfter(Instant.EPOCH);
            List<Vm> unheard = vms.stream().filter(vm -> vm.provisionedAt() != null
                    && vm.provisionedAt().isBefore(from) && !heardSince(vm.vmId(), from)).toList();
            if (unheard.isEmpty()) {
                return windows;
            }
            if (!older) {
                for (Vm vm : unheard) {
                    Instant keptFrom = oldest[0] == null || oldest[0].isBefore(vm.provisionedAt())
                            ? vm.provisionedAt() : oldest[0];
                    lastSeen.merge(vm.vmId(), keptFrom, (a, b) -> a.isAfter(b) ? a : b);
                }
                return windows;
            }
            window = window.multipliedBy(2);
        }
    }

    private boolean heardSince(String vmId, Instant from) {
        Instant seen = lastSeen.get(vmId);
        return seen != null && !seen.isBefore(from);
    }

    /**
     * When the VM was last heard of, in agent time: its deletion time if it is declared lost. Never before its
     * provisioning (the VmBooted report).
     */
    public Instant lastSeen(Vm vm) {
        Instant seen = lastSeen.get(vm.vmId());
        Instant floor = vm.provisionedAt();
        return seen == null || floor != null && seen.isBefore(floor) ? floor : seen;
    }

    /**
     * Log time passed since the VM was last heard of; a VM this reader has not heard of yet is watched from the
     * first time it is asked about.
     */
    public Duration silence(Vm vm) {
        return readTime.elapsed().minus(heardAtLogTime.computeIfAbsent(vm.vmId(), id -> readTime.elapsed()));
    }

    public void forget(String vmId) {
        lastSeen.remove(vmId);
        heardAtLogTime.remove(vmId);
    }
}
