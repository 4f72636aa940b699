package io.batchpool.billing.domain;

import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;
import io.batchpool.contracts.vm.VmSeenAfterLoss;

import java.util.Optional;

/**
 * Decides what a VM lifecycle event means for billing. Billing time comes from the event's own timestamps
 * ({@code provisionedAt}, {@code deletedAt}), never from the wall clock.
 */
public final class VmEventBilling {
    private VmEventBilling() {
    }

    /**
     * @return the interval change, or empty for events that do not move billing (requested, drain started)
     * @throws InvalidVmEvent if the event lacks an id or a timestamp billing needs
     */
    public static Optional<IntervalChange> decide(VmEvent event) {
        if (event instanceof VmProvisioned p) {
            require(p.poolId(), "poolId", p);
            require(p.vmId(), "vmId", p);
            require(p.provisionedAt(), "provisionedAt", p);
            return Optional.of(new IntervalChange.Open(VmInterval.open(p.vmId(), p.poolId(), p.accountId(),
                    p.billingPlanId(), p.slots(), p.provisionedAt())));
        }
        if (event instanceof VmDeleted d) {
            require(d.poolId(), "poolId", d);
            require(d.vmId(), "vmId", d);
            require(d.deletedAt(), "deletedAt", d);
            // wasProvisioned=false means no interval was ever opened, so the close finds nothing to end; a
            // contradictory event (false, yet an interval is open) still stops billing rather than let it run on
            return Optional.of(new IntervalChange.Close(d.poolId(), d.vmId(), d.deletedAt()));
        }
        if (event instanceof VmSeenAfterLoss s) {
            require(s.poolId(), "poolId", s);
            require(s.vmId(), "vmId", s);
            require(s.seenAt(), "seenAt", s);
            return Optional.of(new IntervalChange.Extend(s.poolId(), s.vmId(), s.seenAt()));
        }
        if (event instanceof VmRequested || event instanceof VmDrainStarted) {
            return Optional.empty(); // not billed yet / billed until deleted: nothing changes
        }
        throw new InvalidVmEvent("unknown VM event " + event.getClass().getSimpleName());
    }

    private static void require(Object value, String field, VmEvent event) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new InvalidVmEvent(event.getClass().getSimpleName() + " without " + field);
        }
    }
}
