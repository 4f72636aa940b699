package io.batchpool.billing.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.batchpool.billing.domain.Usage;
import io.batchpool.billing.domain.UsageScope;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The usage of a pool, a billing plan or an account over {@code [from, to)}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageReport(String scope, String id, Instant from, Instant to, long computeMillis,
                          BigDecimal computeHours, int vmCount, int runningVms, List<Hour> hourly) {

    /** One UTC hour of the breakdown. */
    public record Hour(Instant hour, long computeMillis) {
    }

    static UsageReport of(UsageScope scope, String id, Usage usage, boolean hourly) {
        return new UsageReport(scope.wireName(), id, usage.from(), usage.to(), usage.computeMillis(),
                usage.computeHours(), usage.vmCount(), usage.runningVms(),
                hourly ? usage.hourly().stream().map(h -> new Hour(h.hour(), h.computeMillis())).toList() : null);
    }
}
