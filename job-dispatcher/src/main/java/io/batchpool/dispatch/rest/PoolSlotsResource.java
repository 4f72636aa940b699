package io.batchpool.dispatch.rest;

import io.batchpool.dispatch.domain.PoolCapacity;
import io.batchpool.dispatch.service.SlotsView;
import io.batchpool.rest.ErrorBody;
import io.batchpool.rest.InternalApi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Slot capacity per pool, as the dispatcher will offer it to jobs (operator key). */
@InternalApi
@Path("/pools/{poolId}/slots")
@Produces(MediaType.APPLICATION_JSON)
public class PoolSlotsResource {
    private final SlotsView view;

    public PoolSlotsResource(SlotsView view) {
        this.view = view;
    }

    @GET
    @APIResponse(responseCode = "200", description = "the pool's VMs and slots",
            content = @Content(schema = @Schema(implementation = PoolCapacity.class)))
    @APIResponse(responseCode = "404", description = "PoolNotFound: no VM event names this pool")
    public Response slots(@PathParam("poolId") String poolId) {
        return view.get(poolId)
                .map(c -> Response.ok(c).build())
                .orElseGet(() -> ErrorBody.response(404, "PoolNotFound",
                        "no VM event names pool " + poolId));
    }
}
