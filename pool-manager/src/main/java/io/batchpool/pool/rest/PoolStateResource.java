package io.batchpool.pool.rest;

import io.batchpool.pool.consumer.PoolProcessor;
import io.batchpool.pool.consumer.PoolProcessor.PoolView;
import io.batchpool.rest.ErrorBody;
import io.batchpool.rest.InternalApi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Comparator;
import java.util.List;

/**
 * Read-only view of what this instance owns (for operators and tests). Clients use the gateway; this shows
 * pool-manager's own truth, including each VM. Needs the operator key: it lists every account's pools.
 */
@InternalApi
@Path("/pools")
@Produces(MediaType.APPLICATION_JSON)
public class PoolStateResource {
    private final PoolProcessor processor;

    public PoolStateResource(PoolProcessor processor) {
        this.processor = processor;
    }

    @GET
    public List<PoolView> list() {
        return processor.views().values().stream()
                .sorted(Comparator.comparing(v -> v.pool().poolId())).toList();
    }

    @GET
    @Path("/{poolId}")
    public Response get(@PathParam("poolId") String poolId) {
        PoolView view = processor.views().get(poolId);
        if (view == null) {
            return ErrorBody.response(404, "PoolNotFound", "pool " + poolId + " is not owned by this pool-manager");
        }
        return Response.ok(view).build();
    }
}
