package io.batchpool.billing.rest;

import io.batchpool.billing.domain.ClassicScope;
import io.batchpool.billing.domain.JobRun;
import io.batchpool.billing.domain.JobRunMeter;
import io.batchpool.billing.store.IntervalStore;
import io.batchpool.contracts.Ids;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Classic usage API (operator key): job run time of the shared classic environment per account and per web
 * service. An id that is not an id, or of which no classic job was ever seen, is 404: billing-meter knows accounts
 * and web services only from the classic jobs they submitted.
 */
@Path("/usage/classic")
@InternalApi
@Produces(MediaType.APPLICATION_JSON)
public class ClassicUsageResource {
    private final IntervalStore store;
    private final Clock clock;
    private final JobRunMeter meter = new JobRunMeter();

    public ClassicUsageResource(IntervalStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @GET
    @Path("/accounts/{accountId}")
    @APIResponse(responseCode = "200", description = "run time of the account's classic jobs, per web service too")
    @APIResponse(responseCode = "404", description = "AccountNotFound: no classic job of this account is known")
    @APIResponse(responseCode = "400", description = "InvalidRange: bad from/to")
    public ClassicUsageReport account(@PathParam("accountId") String accountId, @QueryParam("from") String from,
                                      @QueryParam("to") String to, @Context UriInfo uri) {
        return usage(ClassicScope.ACCOUNT, accountId, uri);
    }

    @GET
    @Path("/services/{serviceId}")
    @APIResponse(responseCode = "200", description = "run time of the web service's classic jobs")
    @APIResponse(responseCode = "404", description = "WebServiceNotFound: no classic job of this web service is known")
    @APIResponse(responseCode = "400", description = "InvalidRange: bad from/to")
    public ClassicUsageReport service(@PathParam("serviceId") String serviceId, @QueryParam("from") String from,
                                      @QueryParam("to") String to, @Context UriInfo uri) {
        return usage(ClassicScope.SERVICE, serviceId, uri);
    }

    // as in UsageResource: parameters are read from the raw query, where an empty value ("from=") is bad input
    private ClassicUsageReport usage(ClassicScope scope, String id, UriInfo uri) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        String fromParam = UsageResource.single(query, "from");
        String toParam = UsageResource.single(query, "to");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant to = toParam == null ? now : UsageResource.parseInstant("to", toParam);
        Instant from = fromParam == null ? null : UsageResource.parseInstant("from", fromParam);
        if (from != null && !from.isBefore(to)) {
            throw ApiException.badRequest("InvalidRange", "from (" + from + ") must be before to (" + to + ")");
        }
        if (!Ids.isValid(id) || !store.classicScopeKnown(scope, id)) {
            String what = scope == ClassicScope.ACCOUNT ? "account" : "web service";
            throw new ApiException(404, scope == ClassicScope.ACCOUNT ? "AccountNotFound" : "WebServiceNotFound",
                    Ids.isValid(id) ? "no classic job of " + what + " " + id + " is known"
                            : what + " ids are 32 lowercase hex characters, not '" + id + "'");
        }
        if (from == null) {
            // by default the range starts with the scope's first run; a scope without runs gets an empty range
            from = store.earliestRunStart(scope, id).orElse(now);
            if (from.isAfter(to)) {
                from = to;
            }
        }
        List<JobRun> runs = store.classicRuns(scope, id, from, to);
        return ClassicUsageReport.of(scope, id, meter.measure(runs, from, to, now));
    }
}
