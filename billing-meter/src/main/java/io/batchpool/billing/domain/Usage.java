package io.batchpool.billing.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * VM-hours of a set of intervals over {@code [from, to)}.
 *
 * @param computeMillis billed VM milliseconds in the range (2 VMs for 24 h = 172,800,000)
 * @param vmCount       VMs with billed time in the range
 * @param runningVms    VMs provisioned before and not deleted at {@code min(to, now)}: still running when the range
 *                      ends (or now, for a range reaching into the future)
 * @param hourly        one entry per UTC hour overlapping the range, in order, zeros included; empty when not asked
 */
public record Usage(Instant from, Instant to, long computeMillis, int vmCount, int runningVms,
                    List<HourlyUsage> hourly) {

    public Usage {
        hourly = List.copyOf(hourly);
    }

    /** Compute hours with three decimals (48.000). */
    public BigDecimal computeHours() {
        return BigDecimal.valueOf(computeMillis).divide(BigDecimal.valueOf(VmHoursMeter.HOUR_MILLIS), 3,
                RoundingMode.HALF_UP);
    }
}
