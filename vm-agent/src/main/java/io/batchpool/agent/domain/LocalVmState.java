package io.batchpool.agent.domain;

/**
 * The life of a VM inside this local provisioner process.
 *
 * <pre>
 *   ProvisionVm ──▶ BOOTING ──(boot delay elapsed: VmBooted)──▶ READY ──(DeprovisionVm: VmStopped)──▶ gone
 *                      │                                                                             ▲
 *                      └─────────────(DeprovisionVm while booting: VmStopped, no VmBooted)──────────┘
 * </pre>
 * A VM that is gone is no longer held by the host, so there is no state for it. When the process dies its VMs die
 * with it, silently: pool-manager notices the missing heartbeats.
 */
public enum LocalVmState {
    /** Accepted, waiting for the boot delay; sends nothing. */
    BOOTING,
    /** Announced with VmBooted; sends a VmHeartbeat every heartbeat interval. */
    READY;

    public boolean canBecome(LocalVmState next) {
        return this == BOOTING && next == READY;
    }
}
