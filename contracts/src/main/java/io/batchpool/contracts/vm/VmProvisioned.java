package io.batchpool.contracts.vm;

import java.time.Instant;

/** The VM's agent announced itself: the VM is READY and billed from {@code provisionedAt}. */
public record VmProvisioned(String poolId, String vmId, String accountId, String billingPlanId, int slots,
                            Instant provisionedAt) implements VmEvent {
}
