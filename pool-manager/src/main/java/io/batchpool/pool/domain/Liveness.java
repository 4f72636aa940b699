package io.batchpool.pool.domain;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * When each VM was last heard of (booted or heartbeat, agent time). Not part of the replayed state: heartbeats are
 * not events. After a restart it is refilled from the recent past of the report topic; a VM with no report in
 * that window counts as last seen at the window's start.
 */
public final class Liveness {
    private final Map<String, Instant> lastSeen = new HashMap<>();
    private Instant horizon = Instant.EPOCH;

    public void observe(String vmId, Instant at) {
        lastSeen.merge(vmId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Reports older than this instant were not looked at (set after a restart). */
    public void setHorizon(Instant horizon) {
        this.horizon = horizon;
    }

    public Instant lastSeen(Vm vm) {
        Instant seen = lastSeen.get(vm.vmId());
        Instant floor = vm.provisionedAt() != null && vm.provisionedAt().isAfter(horizon) ? vm.provisionedAt() : horizon;
        return seen == null || seen.isBefore(floor) ? floor : seen;
    }

    public void forget(String vmId) {
        lastSeen.remove(vmId);
    }
}
