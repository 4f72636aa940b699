package io.batchpool.contracts.vm;

import io.batchpool.contracts.Message;

/**
 * VM lifecycle events on topic {@code batchpool.vm-events.v1}, keyed by pool id, written only by pool-manager.
 * billing-meter bills each VM from {@link VmProvisioned#provisionedAt()} to {@link VmDeleted#deletedAt()}, or to a
 * later {@link VmSeenAfterLoss#seenAt()} of a VM declared lost that was alive.
 */
public sealed interface VmEvent extends Message permits VmRequested, VmProvisioned, VmDrainStarted, VmDeleted,
        VmSeenAfterLoss {
    String poolId();

    String vmId();

    @Override
    default String aggregateId() {
        return poolId();
    }
}
