package io.batchpool.contracts.vm;

import java.time.Instant;

/**
 * The VM is gone; billing stops at {@code deletedAt}. {@code wasProvisioned} tells whether it was ever billed
 * (a VM deleted while still provisioning was not).
 */
public record VmDeleted(String poolId, String vmId, String accountId, String billingPlanId, Instant deletedAt,
                        VmDeletionReason reason, boolean wasProvisioned) implements VmEvent {
}
