package io.batchpool.gateway.rest;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.Checked;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.PoolSpec;
import io.batchpool.gateway.rest.Dtos.CreatePoolRequest;
import io.batchpool.gateway.rest.Dtos.ResizePoolRequest;
import io.batchpool.gateway.service.PoolService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * The pool owner's API, under the account's Pool Service URL: {@code /subscriptions/{id}/pools}, and the same
 * under {@code /workspaces/{id}/pools} (a workspace id is an alias of the subscription id).
 */
@AccountApi
@Path("/{scope: subscriptions|workspaces}/{subscriptionId}/pools")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Pools")
public class PoolResource {
    private final PoolService pools;
    private final CurrentAccount account;
    private final GatewayConfig config;

    @Inject
    public PoolResource(PoolService pools, CurrentAccount account, GatewayConfig config) {
        this.pools = pools;
        this.config = config;
        this.account = account;
    }

    @POST
    @Operation(summary = "Create a pool of vmCount VMs billed to billingPlanId (or the plan of serviceUrl's web service)")
    public Response create(@PathParam("scope") String scope, CreatePoolRequest body) {
        if (body == null) {
            throw new ApiException(ErrorCode.InvalidRequest, "a JSON body {vmCount, billingPlanId | serviceUrl} is required");
        }
        Checked<PoolSpec> checked = PoolSpec.check(body.vmCount(), body.billingPlanId(), body.serviceUrl(),
                body.slotsPerVm(), body.name());
        if (checked instanceof Checked.Rejected<PoolSpec> rejected) {
            throw new ApiException(rejected.rejection());
        }
        PoolResponse created = PoolResponse.of(pools.create(account.id(), ((Checked.Ok<PoolSpec>) checked).value()));
        return Response.created(PublicUrls.of(config.publicUrl(),
                "/" + scope + "/" + account.id() + "/pools/" + created.poolId())).entity(created).build();
    }

    @GET
    @Operation(summary = "List the account's pools that are not deleted")
    public List<PoolResponse> list() {
        return pools.list(account.id()).stream().map(PoolResponse::of).toList();
    }

    @GET
    @Path("/{poolId}")
    @Operation(summary = "Get a pool with its VM counts")
    public PoolResponse get(@PathParam("poolId") String poolId) {
        return PoolResponse.of(pools.get(account.id(), poolId));
    }

    @POST
    @Path("/{poolId}/resize")
    @Operation(summary = "Set the pool's target VM count (0 allowed); idle VMs go first, busy VMs drain")
    public Response resize(@PathParam("poolId") String poolId, ResizePoolRequest body) {
        if (body == null) {
            throw new ApiException(ErrorCode.InvalidRequest, "a JSON body {vmCount} is required");
        }
        PoolSpec.checkVmCount(body.vmCount()).ifPresent(r -> {
            throw new ApiException(r);
        });
        return Response.accepted(PoolResponse.of(pools.resize(account.id(), poolId, body.vmCount()))).build();
    }

    @PATCH
    @Path("/{poolId}")
    @Operation(summary = "Same as POST /{poolId}/resize")
    public Response patch(@PathParam("poolId") String poolId, ResizePoolRequest body) {
        return resize(poolId, body);
    }

    @DELETE
    @Path("/{poolId}")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Delete the pool: queued jobs are cancelled, running jobs finish (force=true cancels them)")
    public Response delete(@PathParam("poolId") String poolId, @QueryParam("force") String force) {
        boolean forced;
        if (force == null || force.equalsIgnoreCase("false")) {
            forced = false;
        } else if (force.equalsIgnoreCase("true")) {
            forced = true;
        } else {
            throw new ApiException(ErrorCode.InvalidRequest, "force must be true or false");
        }
        return Response.accepted(PoolResponse.of(pools.delete(account.id(), poolId, forced))).build();
    }
}
