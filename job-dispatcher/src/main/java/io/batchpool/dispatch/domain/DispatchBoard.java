package io.batchpool.dispatch.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per pool, its VMs and their job slots, built from pool-manager's VM events. Today it only tracks capacity; the
 * jobs issue adds the per-pool FIFO queues and slot occupancy that decide assignments.
 *
 * <p>{@link #apply(Envelope)} is the only mutator, the same live and on replay: an event whose envelope sequence
 * is not newer than the last one applied for its pool changes nothing, so replaying the log with duplicates gives
 * the same board. Not thread-safe: one consumer thread owns a board.
 */
public final class DispatchBoard {
    private final Map<String, Pool> pools = new HashMap<>();

    /** A pool's VMs (in the order they were provisioned) and the last sequence applied for it. */
    private static final class Pool {
        private final Map<String, SlotVm> vms = new LinkedHashMap<>();
        private long lastSequence;
    }

    /**
     * Applies one VM event.
     *
     * @return whether it was applied (false: its sequence is not newer than the pool's last)
     */
    public boolean apply(Envelope<VmEvent> envelope) {
        VmEvent event = envelope.data();
        Pool pool = pools.computeIfAbsent(event.poolId(), id -> new Pool());
        if (envelope.sequence() <= pool.lastSequence) {
            return false;
        }
        pool.lastSequence = envelope.sequence();
        if (event instanceof VmProvisioned provisioned) {
            pool.vms.putIfAbsent(provisioned.vmId(), SlotVm.ready(provisioned.vmId(), Math.max(0, provisioned.slots())));
        } else if (event instanceof VmDrainStarted drain) {
            pool.vms.computeIfPresent(drain.vmId(),
                    (id, vm) -> vm.state().canBecome(SlotVmState.DRAINING) ? vm.withState(SlotVmState.DRAINING) : vm);
        } else if (event instanceof VmDeleted deleted) {
            pool.vms.remove(deleted.vmId());
        } else if (!(event instanceof VmRequested)) {
            throw new IllegalArgumentException("unknown VM event " + event);
        }
        // VmRequested: a PROVISIONING VM offers no slot yet, but the pool is now known
        return true;
    }

    /** The capacity of a pool, empty if no VM event ever named it. */
    public Optional<PoolCapacity> capacity(String poolId) {
        Pool pool = pools.get(poolId);
        if (pool == null) {
            return Optional.empty();
        }
        Collection<SlotVm> vms = pool.vms.values();
        return Optional.of(new PoolCapacity(poolId, vms.size(),
                vms.stream().mapToInt(SlotVm::slots).sum(),
                vms.stream().mapToInt(SlotVm::freeSlots).sum(),
                (int) vms.stream().filter(vm -> vm.state() == SlotVmState.DRAINING).count()));
    }

    /** A pool's VMs in the order they were provisioned. */
    public List<SlotVm> vms(String poolId) {
        Pool pool = pools.get(poolId);
        return pool == null ? List.of() : List.copyOf(pool.vms.values());
    }

    public long lastSequence(String poolId) {
        Pool pool = pools.get(poolId);
        return pool == null ? 0 : pool.lastSequence;
    }

    public int poolCount() {
        return pools.size();
    }

    /** Throws if any VM breaks its invariants; tests call it after every step. */
    public void checkInvariants() {
        pools.values().forEach(p -> p.vms.values().forEach(SlotVm::checkInvariants));
    }
}
