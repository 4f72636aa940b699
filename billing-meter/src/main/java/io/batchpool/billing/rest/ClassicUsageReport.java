package io.batchpool.billing.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.batchpool.billing.domain.ClassicScope;
import io.batchpool.billing.domain.RunUsage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Classic job run time of an account or a web service over {@code [from, to)}; an account's answer breaks it down
 * per web service.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassicUsageReport(String scope, String id, Instant from, Instant to, long runMillis,
                                 BigDecimal runSeconds, int jobCount, int runCount, int runningJobs,
                                 List<Service> services) {

    /** One web service's share. */
    public record Service(String serviceId, long runMillis, BigDecimal runSeconds, int jobCount, int runCount) {
    }

    static ClassicUsageReport of(ClassicScope scope, String id, RunUsage usage) {
        List<Service> services = scope != ClassicScope.ACCOUNT ? null : usage.services().stream()
                .map(s -> new Service(s.serviceId(), s.runMillis(), s.runSeconds(), s.jobCount(), s.runCount()))
                .toList();
        return new ClassicUsageReport(scope.wireName(), id, usage.from(), usage.to(), usage.runMillis(),
                usage.runSeconds(), usage.jobCount(), usage.runCount(), usage.runningJobs(), services);
    }
}
