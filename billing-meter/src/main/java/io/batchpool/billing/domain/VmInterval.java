package io.batchpool.billing.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One billed stretch of one VM: from the moment it finished provisioning ({@code start}) until it was deleted
 * ({@code end}, or {@code null} while it still runs). A VM has at most one interval: a pool that re-grows gets
 * new VMs with new ids, hence new intervals.
 *
 * @param accountId     the pool owner's account (may be null if the producer did not know it)
 * @param billingPlanId the pool's billing plan (may be null if the producer did not know it)
 */
public record VmInterval(String vmId, String poolId, String accountId, String billingPlanId, int slots,
                         Instant start, Instant end) {

    public VmInterval {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(start, "start");
        if (end != null && end.isBefore(start)) {
            // a deletion stamped before the provisioning (clock skew between producers) bills nothing, never less
            end = start;
        }
    }

    public static VmInterval open(String vmId, String poolId, String accountId, String billingPlanId, int slots,
                                  Instant start) {
        return new VmInterval(vmId, poolId, accountId, billingPlanId, slots, start, null);
    }

    public boolean isOpen() {
        return end == null;
    }

    public VmInterval withEnd(Instant newEnd) {
        return new VmInterval(vmId, poolId, accountId, billingPlanId, slots, start, newEnd);
    }

    /** Where billing stops as seen at {@code now}: the deletion, or {@code now} for a VM that still runs. */
    public Instant billedUntil(Instant now) {
        if (end != null) {
            return end;
        }
        return now.isBefore(start) ? start : now;
    }

    /** Billed milliseconds inside {@code [from, to)}, open intervals counted up to {@code now}. */
    public long millisWithin(Instant from, Instant to, Instant now) {
        long s = Math.max(start.toEpochMilli(), from.toEpochMilli());
        long e = Math.min(billedUntil(now).toEpochMilli(), to.toEpochMilli());
        return Math.max(0, e - s);
    }

    /** Billed milliseconds from provisioning until the deletion (or {@code now}). */
    public long millisSoFar(Instant now) {
        return billedUntil(now).toEpochMilli() - start.toEpochMilli();
    }

    /** Whether the VM was provisioned before {@code t} and still not deleted at {@code t}. */
    public boolean runningAt(Instant t) {
        return start.isBefore(t) && (end == null || end.isAfter(t));
    }
}
