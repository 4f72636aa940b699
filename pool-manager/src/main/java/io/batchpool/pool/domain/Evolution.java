package io.batchpool.pool.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.pool.PoolCreated;
import io.batchpool.contracts.pool.PoolDeleted;
import io.batchpool.contracts.pool.PoolDeletionStarted;
import io.batchpool.contracts.pool.PoolResized;
import io.batchpool.contracts.pool.PoolState;
import io.batchpool.contracts.pool.PoolStatusChanged;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;
import io.batchpool.contracts.vm.VmSeenAfterLoss;
import io.batchpool.contracts.vm.VmState;

import java.util.Map;

/**
 * How one pool event changes a pool and its VMs: the single definition of state change, used by
 * {@link PoolFleet#apply} (live and on replay) and by decisions on their working copy.
 */
final class Evolution {
    private Evolution() {
    }

    /** Returns the pool after the event (null before PoolCreated); mutates {@code vms}, the pool's live VMs. */
    static Pool evolve(Pool pool, Map<String, Vm> vms, Envelope<? extends Message> envelope) {
        Message event = envelope.data();
        if (pool == null && !(event instanceof PoolCreated)) {
            return null; // history of a pool whose creation is not in this log: nothing to rebuild
        }
        Pool next = pool;
        if (event instanceof PoolCreated e) {
            if (pool == null) {
                next = new Pool(e.poolId(), e.accountId(), e.billingPlanId(), e.slotsPerVm(), e.targetVms(),
                        PoolState.ACTIVE, false, e.commandSequence(), 0, null);
            }
        } else if (event instanceof PoolResized e) {
            next = pool.with(e.targetVms(), pool.state(), pool.force(), e.commandSequence());
        } else if (event instanceof PoolDeletionStarted e) {
            next = pool.with(0, PoolState.DELETING, pool.force() || e.force(), e.commandSequence());
        } else if (event instanceof PoolDeleted) {
            next = pool.with(0, PoolState.DELETED, pool.force(), 0);
        } else if (event instanceof PoolStatusChanged e) {
            next = pool.withLastStatus(e);
        } else if (event instanceof VmRequested e) {
            vms.put(e.vmId(), new Vm(e.vmId(), e.poolId(), VmState.PROVISIONING, e.slots(), envelope.occurredAt(), null));
        } else if (event instanceof VmProvisioned e) {
            vms.computeIfPresent(e.vmId(), (id, vm) -> vm.provisioned(e.provisionedAt()));
        } else if (event instanceof VmDrainStarted e) {
            vms.computeIfPresent(e.vmId(), (id, vm) -> vm.withState(VmState.DRAINING));
        } else if (event instanceof VmDeleted e) {
            vms.remove(e.vmId());
        } else if (event instanceof VmSeenAfterLoss) {
            // billing only: the VM is already gone from the pool
        } else {
            throw new IllegalArgumentException("not a pool-manager event: " + envelope.type());
        }
        return next == null ? null : next.withLastEventSequence(Math.max(next.lastEventSequence(), envelope.sequence()));
    }
}
