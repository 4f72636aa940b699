package io.batchpool.contracts.job;

import io.batchpool.contracts.Message;

/**
 * job-dispatcher tells pool-manager whether a VM runs jobs, on topic {@code batchpool.slot-events.v1}, keyed by
 * pool id: resize down removes idle VMs first and lets a busy VM drain (finish, then be deleted).
 */
public sealed interface SlotEvent extends Message permits VmBusy, VmIdle {
    String poolId();

    String vmId();

    @Override
    default String aggregateId() {
        return poolId();
    }
}
