package io.batchpool.billing.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Classic job run time of a set of runs over {@code [from, to)}.
 *
 * @param runMillis   metered run milliseconds in the range (open runs up to {@code min(to, now)})
 * @param jobCount    jobs with a run in the range (time in it, or a start in it)
 * @param runCount    runs (attempts) in the range
 * @param runningJobs jobs with a run started before and not ended at {@code min(to, now)}
 * @param services    the same per web service, ordered by service id
 */
public record RunUsage(Instant from, Instant to, long runMillis, int jobCount, int runCount, int runningJobs,
                       List<ServiceRunUsage> services) {

    public RunUsage {
        services = List.copyOf(services);
    }

    /** Run seconds with three decimals (12.345), exactly {@code runMillis / 1000}. */
    public BigDecimal runSeconds() {
        return BigDecimal.valueOf(runMillis, 3);
    }

    /** One web service's share of a {@link RunUsage}. */
    public record ServiceRunUsage(String serviceId, long runMillis, int jobCount, int runCount) {
        public BigDecimal runSeconds() {
            return BigDecimal.valueOf(runMillis, 3);
        }
    }
}
