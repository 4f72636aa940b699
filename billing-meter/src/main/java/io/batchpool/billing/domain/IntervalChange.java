package io.batchpool.billing.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * What one VM lifecycle event does to the billed intervals. Both changes are idempotent by construction, so a
 * duplicate or redelivered event changes nothing:
 * <ul>
 *   <li>{@link Open} inserts the interval unless the VM already has one (open or closed);</li>
 *   <li>{@link Close} sets the end of the VM's interval only while it is still open (the first deletion wins);</li>
 *   <li>{@link Extend} moves the end of a closed interval later, never earlier (a VM declared lost was alive).</li>
 * </ul>
 */
public sealed interface IntervalChange extends BillingChange {

    String vmId();

    String poolId();

    record Open(VmInterval interval) implements IntervalChange {
        public Open {
            Objects.requireNonNull(interval, "interval");
            if (!interval.isOpen()) {
                throw new IllegalArgumentException("an opened interval has no end");
            }
        }

        @Override
        public String vmId() {
            return interval.vmId();
        }

        @Override
        public String poolId() {
            return interval.poolId();
        }
    }

    /** A VM declared lost reported again: it ran until at least {@code end}. */
    record Extend(String poolId, String vmId, Instant end) implements IntervalChange {
        public Extend {
            Objects.requireNonNull(poolId, "poolId");
            Objects.requireNonNull(vmId, "vmId");
            Objects.requireNonNull(end, "end");
        }
    }

    record Close(String poolId, String vmId, Instant end) implements IntervalChange {
        public Close {
            Objects.requireNonNull(poolId, "poolId");
            Objects.requireNonNull(vmId, "vmId");
            Objects.requireNonNull(end, "end");
        }
    }
}
