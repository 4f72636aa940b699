package io.batchpool.billing.rest;

import io.batchpool.billing.domain.UsageScope;
import io.batchpool.billing.domain.VmHoursMeter;
import io.batchpool.billing.domain.VmInterval;
import io.batchpool.billing.store.IntervalStore;
import io.batchpool.rest.ApiException;
import io.batchpool.rest.InternalApi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Usage API (operator key): VM-hours per pool, billing plan and account, optionally by UTC hour. Unknown ids have
 * zero usage (a pool that never ran a VM used nothing), so they answer 200.
 */
@Path("/usage")
@InternalApi
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {
    /** Times outside this window are rejected: they cannot be billing times and would overflow millisecond math. */
    static final Instant EARLIEST = Instant.EPOCH;
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private final IntervalStore store;
    private final Clock clock;
    private final VmHoursMeter meter = new VmHoursMeter();

    public UsageResource(IntervalStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @GET
    @Path("/pools/{poolId}")
    public UsageReport pool(@PathParam("poolId") String poolId, @QueryParam("from") String from,
                            @QueryParam("to") String to, @QueryParam("hourly") String hourly,
                            @Context UriInfo uri) {
        return usage(UsageScope.POOL, poolId, uri);
    }

    @GET
    @Path("/plans/{billingPlanId}")
    public UsageReport plan(@PathParam("billingPlanId") String planId, @QueryParam("from") String from,
                            @QueryParam("to") String to, @QueryParam("hourly") String hourly,
                            @Context UriInfo uri) {
        return usage(UsageScope.PLAN, planId, uri);
    }

    @GET
    @Path("/accounts/{accountId}")
    public UsageReport account(@PathParam("accountId") String accountId, @QueryParam("from") String from,
                               @QueryParam("to") String to, @QueryParam("hourly") String hourly,
                               @Context UriInfo uri) {
        return usage(UsageScope.ACCOUNT, accountId, uri);
    }

    @GET
    @Path("/pools/{poolId}/vms")
    public PoolVms poolVms(@PathParam("poolId") String poolId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<PoolVms.Vm> vms = store.poolIntervals(poolId).stream()
                .map(i -> new PoolVms.Vm(i.vmId(), i.accountId(), i.billingPlanId(), i.slots(), i.start(), i.end(),
                        i.millisSoFar(now)))
                .toList();
        return new PoolVms(poolId, vms);
    }

    // the @QueryParam parameters document the API (OpenAPI); values are read from the raw query, where an empty
    // value ("from=") is bad input rather than absent
    private UsageReport usage(UsageScope scope, String id, UriInfo uri) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        String fromParam = single(query, "from");
        String toParam = single(query, "to");
        boolean hourly = parseHourly(single(query, "hourly"));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant to = toParam == null ? now : parseInstant("to", toParam);
        Instant from;
        if (fromParam != null) {
            from = parseInstant("from", fromParam);
            if (!from.isBefore(to)) {
                throw ApiException.badRequest("InvalidRange", "from (" + from + ") must be before to (" + to + ")");
            }
        } else {
            // by default the range starts with the scope's first VM; an empty scope gets an empty range
            from = store.earliestStart(scope, id).orElse(now);
            if (from.isAfter(to)) {
                from = to;
            }
        }
        if (hourly && VmHoursMeter.hourBuckets(from, to) > VmHoursMeter.MAX_HOURLY_BUCKETS) {
            throw ApiException.badRequest("RangeTooLarge", "an hourly breakdown covers at most "
                    + VmHoursMeter.MAX_HOURLY_BUCKETS + " hours; narrow from/to or ask hourly=false");
        }
        List<VmInterval> intervals = store.overlapping(scope, id, from, to);
        return UsageReport.of(scope, id, meter.measure(intervals, from, to, now, hourly), hourly);
    }

    static String single(MultivaluedMap<String, String> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiException.badRequest(name.equals("hourly") ? "InvalidParameter" : "InvalidRange",
                    name + " is given " + values.size() + " times");
        }
        return values.get(0);
    }

    private static boolean parseHourly(String value) {
        if (value == null || value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw ApiException.badRequest("InvalidParameter", "hourly must be true or false, not '" + value + "'");
    }

    static Instant parseInstant(String name, String value) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeException e) {
            throw ApiException.badRequest("InvalidRange",
                    name + " must be an ISO-8601 instant such as 2026-11-26T10:00:00Z, not '" + value + "'");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw ApiException.badRequest("InvalidRange", name + " must lie between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }
}
