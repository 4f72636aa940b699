package io.batchpool.contracts.vm;

/**
 * The life of a VM, owned by pool-manager. Billing runs from VmProvisioned to VmDeleted.
 *
 * <pre>
 *   VmRequested ──▶ PROVISIONING ──VmBooted report / VmProvisioned──▶ READY ──(resize down, busy)──▶ DRAINING
 *                        │                                               │                              │
 *                        └──────────────(not needed / lost)──────────────┴───────(stopped / lost)───────┴──▶ DELETED
 * </pre>
 * A VM is deleted when its agent reports it stopped (deletion time: the report's time), or when it stays silent
 * past the heartbeat timeout (deletion time: its last heartbeat). A PROVISIONING VM that is deleted was never
 * billed.
 */
public enum VmState {
    PROVISIONING, READY, DRAINING, DELETED;

    public boolean canBecome(VmState next) {
        return switch (this) {
            case PROVISIONING -> next == READY || next == DELETED;
            case READY -> next == DRAINING || next == DELETED;
            case DRAINING -> next == DELETED;
            case DELETED -> false;
        };
    }
}
