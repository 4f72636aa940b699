package io.batchpool.pool.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.DeletePool;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.pool.PoolCreated;
import io.batchpool.contracts.pool.PoolDeleted;
import io.batchpool.contracts.pool.PoolDeletionStarted;
import io.batchpool.contracts.pool.PoolResized;
import io.batchpool.contracts.pool.PoolState;
import io.batchpool.contracts.pool.PoolStatusChanged;
import io.batchpool.contracts.pool.ResizePool;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmRequested;
import io.batchpool.contracts.vm.VmSeenAfterLoss;
import io.batchpool.contracts.vm.VmState;
import io.batchpool.contracts.vm.VmStopped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The pools and VMs of the partitions one pool-manager owns: one single-threaded state machine.
 *
 * <p>Handlers ({@link #onCommand}, {@link #onReport}, {@link #onTick}) only decide: they return the events to
 * append and the provisioner commands to send, and change nothing. {@link #apply} is the only mutator, used for
 * live decisions and when state is rebuilt from the pool and VM event topics at start-up.
 *
 * <p>Reconciling a pool towards its target: missing VMs are requested; excess VMs go newest first, those still
 * provisioning before ready ones (a provisioning VM is deleted at once and never billed; a ready one drains: it
 * takes no new job, is asked to stop and stays billed until its agent reports it stopped).
 */
public final class PoolFleet {
    private final Map<String, Pool> pools = new HashMap<>();
    private final Map<String, Map<String, Vm>> vmsByPool = new HashMap<>();
    /** VMs that run jobs (facts from job-dispatcher's slot events; not part of the replayed pool state). */
    private final Set<String> busy = new java.util.HashSet<>();
    /**
     * VMs declared lost that were billed, by pool, each billed until an instant: a report from one of them means it
     * was alive (replayed state: from VmDeleted LOST and VmSeenAfterLoss). An entry goes when its agent reports the VM
     * stopped, when its pool is deleted, or when an event of its pool comes {@link #LOST_MEMORY} after the VM was
     * last seen (a lost VM that is alive reports every second and is asked to stop each time; one silent that long is
     * gone). So the map holds, per pool, only the VMs lost within the last day of the pool's life: it cannot grow
     * without bound however many VMs die over time.
     */
    private final Map<String, Map<String, Instant>> lost = new HashMap<>();
    private final Supplier<String> newVmId;

    public PoolFleet() {
        this(Ids::newId);
    }

    /** @param newVmId id source for new VMs (tests pass a deterministic one) */
    public PoolFleet(Supplier<String> newVmId) {
        this.newVmId = newVmId;
    }

    /** How long after it was last seen a lost VM's reports are still recognised (see {@link #lost}). */
    public static final Duration LOST_MEMORY = Duration.ofDays(1);

    // ---- reads

    public Pool pool(String poolId) {
        return pools.get(poolId);
    }

    public Map<String, Vm> vms(String poolId) {
        return Map.copyOf(vmsByPool.getOrDefault(poolId, Map.of()));
    }

    public Set<String> poolIds() {
        return Set.copyOf(pools.keySet());
    }

    /** How many VMs declared lost are remembered (their reports would still be recognised). */
    public int lostVms() {
        return lost.values().stream().mapToInt(Map::size).sum();
    }

    public boolean isBusy(String vmId) {
        return busy.contains(vmId);
    }

    // ---- facts from job-dispatcher (slot events)

    public void vmBusy(String vmId) {
        busy.add(vmId);
    }

    public void vmIdle(String vmId) {
        busy.remove(vmId);
    }

    // ---- the only mutator of pools and VMs

    public void apply(Envelope<? extends Message> event) {
        String poolId = event.aggregateId();
        Map<String, Vm> vms = vmsByPool.computeIfAbsent(poolId, id -> new LinkedHashMap<>());
        Pool before = pools.get(poolId);
        if (before != null && event.sequence() <= before.lastEventSequence()) {
            return; // replayed or duplicated: already applied
        }
        Pool after = Evolution.evolve(before, vms, event);
        Map<String, Instant> lostHere = lost.get(poolId);
        if (event.data() instanceof VmDeleted deleted) {
            busy.remove(deleted.vmId());
            if (deleted.reason() == VmDeletionReason.LOST && deleted.wasProvisioned()) {
                lost.computeIfAbsent(poolId, id -> new HashMap<>()).put(deleted.vmId(), deleted.deletedAt());
            }
        } else if (event.data() instanceof VmSeenAfterLoss seen && lostHere != null) {
            if (seen.stopped()) {
                lostHere.remove(seen.vmId());
            } else {
                lostHere.computeIfPresent(seen.vmId(), (id, until) -> until.isBefore(seen.seenAt()) ? seen.seenAt() : until);
            }
        } else if (event.data() instanceof PoolDeleted) {
            lost.remove(poolId);
        }
        if (lostHere != null) { // event time of the pool's own events: the same on replay
            Instant forgotten = event.occurredAt().minus(LOST_MEMORY);
            lostHere.values().removeIf(until -> until.isBefore(forgotten));
            if (lostHere.isEmpty()) {
                lost.remove(poolId);
            }
        }
        if (after == null) {
            vmsByPool.remove(poolId);
            return;
        }
        pools.put(poolId, after);
    }

    /** Drops the state of pools whose id the predicate selects (partitions revoked from this instance). */
    public void forget(java.util.function.Predicate<String> poolIds) {
        pools.keySet().removeIf(poolIds);
        lost.keySet().removeIf(poolIds);
        vmsByPool.entrySet().removeIf(e -> {
            if (poolIds.test(e.getKey())) {
                e.getValue().keySet().forEach(busy::remove);
                return true;
            }
            return false;
        });
    }

    // ---- decisions

    public Decision onCommand(Envelope<? extends PoolCommand> envelope, Instant now) {
        PoolCommand command = envelope.data();
        long seq = envelope.sequence();
        Pool pool = pools.get(command.poolId());
        if (pool != null && (seq <= pool.lastCommandSequence() || !pool.state().accepts(command))) {
            return Decision.NONE; // duplicate, or not accepted in this state (see PoolState)
        }
        Change change = new Change(pool, vmsByPool.get(command.poolId()), now);
        if (command instanceof CreatePool c) {
            if (pool != null) {
                return Decision.NONE;
            }
            change.emit(new PoolCreated(c.poolId(), c.accountId(), c.billingPlanId(), c.targetVms(),
                    Math.max(1, c.slotsPerVm()), seq), now);
        } else if (pool == null) {
            return Decision.NONE; // a resize or delete of a pool never created here: nothing to change
        } else if (command instanceof ResizePool r) {
            change.emit(new PoolResized(r.poolId(), pool.targetVms(), r.targetVms(), seq), now);
        } else if (command instanceof DeletePool d) {
            if (pool.state() == PoolState.DELETING && (!d.force() || pool.force())) {
                return Decision.NONE;
            }
            change.emit(new PoolDeletionStarted(d.poolId(), d.force(), seq), now);
            change.reconcile();
            if (d.force()) {
                change.stopBusyDrainingVms(); // their jobs are cancelled; do not wait for them
            }
            return change.decision();
        }
        change.reconcile();
        return change.decision();
    }

    public Decision onReport(Envelope<? extends VmReport> envelope, Instant now) {
        VmReport report = envelope.data();
        Pool pool = pools.get(report.poolId());
        Vm vm = pool == null ? null : vmsByPool.getOrDefault(report.poolId(), Map.of()).get(report.vmId());
        Instant billedUntil = lost.getOrDefault(report.poolId(), Map.of()).get(report.vmId());
        if (vm == null && pool != null && billedUntil != null) {
            // declared lost, yet it reports: it was alive. Billed until this report (or its stop), asked to stop again.
            boolean stopped = report instanceof VmStopped;
            if (!stopped && !envelope.occurredAt().isAfter(billedUntil)) {
                return Decision.NONE;
            }
            Instant seenAt = envelope.occurredAt().isAfter(billedUntil) ? envelope.occurredAt() : billedUntil;
            Change change = new Change(pool, vmsByPool.get(pool.poolId()), now);
            change.emit(new VmSeenAfterLoss(pool.poolId(), report.vmId(), pool.accountId(), pool.billingPlanId(),
                    seenAt, stopped), now);
            return new Decision(change.decision().events(),
                    stopped ? List.of() : List.of(new DeprovisionVm(report.vmId(), pool.poolId())));
        }
        if (report instanceof VmBooted booted) {
            if (vm == null) {
                // a VM nobody wants (its pool shrank or was deleted while it booted): switch it off
                return new Decision(List.of(), List.of(new DeprovisionVm(report.vmId(), report.poolId())));
            }
            if (vm.state() != VmState.PROVISIONING) {
                return Decision.NONE;
            }
            Change change = new Change(pool, vmsByPool.get(pool.poolId()), now);
            change.emit(new VmProvisioned(pool.poolId(), vm.vmId(), pool.accountId(), pool.billingPlanId(),
                    vm.slots(), envelope.occurredAt()), envelope.occurredAt());
            change.reconcile();
            return change.decision();
        }
        if (report instanceof VmStopped && vm != null) {
            Change change = new Change(pool, vmsByPool.get(pool.poolId()), now);
            VmDeletionReason reason = vm.state() == VmState.DRAINING
                    ? (pool.state() == PoolState.ACTIVE ? VmDeletionReason.SCALED_DOWN : VmDeletionReason.POOL_DELETED)
                    : VmDeletionReason.STOPPED;
            change.deleteVm(vm, envelope.occurredAt(), reason, false);
            change.reconcile();
            return change.decision();
        }
        return Decision.NONE; // heartbeats only feed Liveness
    }

    /**
     * A VM's last job finished (after {@link #vmIdle}): if it is draining, it can now be stopped. Also used after a
     * restart for every draining VM that is idle: asking twice is harmless, the agent stops a VM once.
     */
    public Decision onVmIdle(String poolId, String vmId) {
        Vm vm = vmsByPool.getOrDefault(poolId, Map.of()).get(vmId);
        if (vm == null || vm.state() != VmState.DRAINING || busy.contains(vmId)) {
            return Decision.NONE;
        }
        return new Decision(List.of(), List.of(new DeprovisionVm(vmId, poolId)));
    }

    /** Draining VMs that are idle (to ask again after a restart). */
    public List<Vm> idleDrainingVms() {
        return vmsByPool.values().stream().flatMap(m -> m.values().stream())
                .filter(v -> v.state() == VmState.DRAINING && !busy.contains(v.vmId())).toList();
    }

    /**
     * Declares lost the VMs silent for longer than {@code heartbeatTimeout} (deleted as of their last heartbeat)
     * and the VMs stuck provisioning for longer than {@code provisionTimeout}, then reconciles their pools. Silence
     * is log time ({@link Liveness}): while the reader cannot read, no VM becomes lost.
     */
    public Decision onTick(Instant now, Liveness liveness, Duration heartbeatTimeout, Duration provisionTimeout) {
        Decision all = Decision.NONE;
        for (Pool pool : pools.values()) {
            Map<String, Vm> vms = vmsByPool.getOrDefault(pool.poolId(), Map.of());
            Change change = null;
            for (Vm vm : vms.values()) {
                Duration silence = liveness.silence(vm);
                boolean provisioning = vm.state() == VmState.PROVISIONING;
                boolean lost = silence.compareTo(provisioning ? provisionTimeout : heartbeatTimeout) > 0;
                if (lost) {
                    if (change == null) {
                        change = new Change(pool, vms, now);
                    }
                    change.deleteVm(vm, provisioning ? now : liveness.lastSeen(vm), VmDeletionReason.LOST, true);
                }
            }
            if (change != null) {
                change.reconcile();
                all = all.plus(change.decision());
            }
        }
        return all;
    }

    /** A decision in progress on a working copy of one pool: emitted events are evolved into the copy at once. */
    private final class Change {
        private Pool pool;
        private final Map<String, Vm> vms;
        private final Instant now;
        private final List<Envelope<Message>> events = new ArrayList<>();
        private final List<ProvisionerCommand> commands = new ArrayList<>();

        Change(Pool pool, Map<String, Vm> vms, Instant now) {
            this.pool = pool;
            this.vms = vms == null ? new LinkedHashMap<>() : new LinkedHashMap<>(vms);
            this.now = now;
        }

        void emit(Message event, Instant at) {
            long seq = (pool == null ? 0 : pool.lastEventSequence()) + 1;
            Envelope<Message> envelope = Envelope.of(event, seq, at);
            events.add(envelope);
            pool = Evolution.evolve(pool, vms, envelope);
        }

        void deleteVm(Vm vm, Instant at, VmDeletionReason reason, boolean alsoDeprovision) {
            emit(new VmDeleted(pool.poolId(), vm.vmId(), pool.accountId(), pool.billingPlanId(), at, reason,
                    vm.provisionedAt() != null), now);
            if (alsoDeprovision) {
                commands.add(new DeprovisionVm(vm.vmId(), pool.poolId()));
            }
        }

        void stopBusyDrainingVms() {
            java.util.Set<String> asked = new java.util.HashSet<>();
            commands.forEach(c -> asked.add(c.vmId()));
            for (Vm vm : vms.values()) {
                if (vm.state() == VmState.DRAINING && busy.contains(vm.vmId()) && asked.add(vm.vmId())) {
                    commands.add(new DeprovisionVm(vm.vmId(), pool.poolId()));
                }
            }
        }

        void reconcile() {
            if (pool.state() == PoolState.DELETED) {
                return;
            }
            List<Vm> serving = vms.values().stream().filter(v -> v.state() != VmState.DRAINING).toList();
            int missing = pool.targetVms() - serving.size();
            for (int i = 0; i < missing; i++) {
                String vmId = newVmId.get();
                emit(new VmRequested(pool.poolId(), vmId, pool.accountId(), pool.billingPlanId(), pool.slotsPerVm()),
                        now);
                commands.add(new ProvisionVm(vmId, pool.poolId(), pool.slotsPerVm()));
            }
            if (missing < 0) {
                VmDeletionReason reason = pool.state() == PoolState.ACTIVE
                        ? VmDeletionReason.SCALED_DOWN : VmDeletionReason.POOL_DELETED;
                // provisioning VMs first (never billed), then idle ready ones, busy ones last; newest first
                List<Vm> excess = new ArrayList<>(serving);
                java.util.Collections.reverse(excess); // newest first among equal times (stable sort below)
                excess.sort(Comparator.comparing((Vm v) -> v.state() == VmState.READY)
                        .thenComparing(v -> busy.contains(v.vmId()))
                        .thenComparing(Vm::requestedAt, Comparator.reverseOrder()));
                excess = excess.subList(0, -missing);
                for (Vm vm : excess) {
                    if (vm.state() == VmState.PROVISIONING) {
                        deleteVm(vm, now, reason, true);
                    } else {
                        // a busy VM drains: it takes no new job and is stopped when its last job ends (onVmIdle)
                        emit(new VmDrainStarted(pool.poolId(), vm.vmId()), now);
                        if (!busy.contains(vm.vmId()) || pool.force()) {
                            commands.add(new DeprovisionVm(vm.vmId(), pool.poolId()));
                        }
                    }
                }

            }
            if (pool.state() == PoolState.DELETING && vms.isEmpty()) {
                emit(new PoolDeleted(pool.poolId()), now);
            }
            PoolStatusChanged status = status();
            if (!status.equals(pool.lastStatus())) {
                emit(status, now);
            }
        }

        private PoolStatusChanged status() {
            int provisioning = 0;
            int ready = 0;
            int draining = 0;
            for (Vm vm : vms.values()) {
                switch (vm.state()) {
                    case PROVISIONING -> provisioning++;
                    case READY -> ready++;
                    case DRAINING -> draining++;
                    default -> {
                    }
                }
            }
            return new PoolStatusChanged(pool.poolId(), pool.state(), pool.targetVms(), provisioning, ready, draining);
        }

        Decision decision() {
            return new Decision(List.copyOf(events), List.copyOf(commands));
        }
    }
}
