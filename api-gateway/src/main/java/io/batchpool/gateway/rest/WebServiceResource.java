package io.batchpool.gateway.rest;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.Checked;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.ServiceSwagger;
import io.batchpool.gateway.domain.WebServiceSpec;
import io.batchpool.gateway.rest.Dtos.RegisterServiceRequest;
import io.batchpool.gateway.rest.Dtos.UpdateModelRequest;
import io.batchpool.gateway.service.ModelCheck;
import io.batchpool.gateway.service.ModelCheck.CheckedModel;
import io.batchpool.gateway.service.WebServiceService;
import io.batchpool.gateway.service.WebServiceService.ServiceView;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;

/**
 * The web service registry of an account, under {@code /subscriptions/{id}/services} (and the
 * {@code /workspaces/{id}/services} alias): account key, except swagger.json, which also takes the service's API key.
 */
@AccountApi
@Path("/{scope: subscriptions|workspaces}/{subscriptionId}/services")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Web services")
public class WebServiceResource {
    private final WebServiceService services;
    private final CurrentAccount account;
    private final GatewayConfig config;

    @Inject
    public WebServiceResource(WebServiceService services, CurrentAccount account, GatewayConfig config) {
        this.services = services;
        this.account = account;
        this.config = config;
    }

    @POST
    @Operation(summary = "Register a web service: an ONNX model (base64) following the model contract, checked by scoring one row")
    public Response register(@PathParam("scope") String scope, RegisterServiceRequest body) {
        if (body == null) {
            throw new ApiException(ErrorCode.InvalidRequest,
                    "a JSON body {name, kind, billingPlanId?, parameters?, model} is required");
        }
        List<WebServiceSpec.RawParameter> parameters = body.parameters() == null ? null : body.parameters().stream()
                .map(p -> p == null ? null : new WebServiceSpec.RawParameter(p.name(), p.defaultValue())).toList();
        Checked<WebServiceSpec> checked = WebServiceSpec.check(body.name(), body.kind(), body.billingPlanId(), parameters);
        if (checked instanceof Checked.Rejected<WebServiceSpec> rejected) {
            throw new ApiException(rejected.rejection());
        }
        CheckedModel model = ModelCheck.check(body.model(), config.webServices().maxModelBytes());
        WebServiceResponse created = WebServiceResponse.of(
                services.register(account.id(), ((Checked.Ok<WebServiceSpec>) checked).value(), model), config.publicUrl());
        return Response.created(PublicUrls.of(config.publicUrl(),
                "/" + scope + "/" + account.id() + "/services/" + created.serviceId())).entity(created).build();
    }

    @GET
    @Operation(summary = "List the account's web services (no keys, no model)")
    public List<WebServiceResponse> list() {
        return services.list(account.id()).stream().map(v -> WebServiceResponse.of(v, config.publicUrl())).toList();
    }

    @GET
    @Path("/{serviceId}")
    @Operation(summary = "Get a web service (no keys, no model)")
    public WebServiceResponse get(@PathParam("serviceId") String serviceId) {
        return WebServiceResponse.of(services.get(account.id(), serviceId), config.publicUrl());
    }

    @PUT
    @Path("/{serviceId}/model")
    @Operation(summary = "Replace the model: a new version; jobs keep the version they were submitted with")
    public WebServiceResponse updateModel(@PathParam("serviceId") String serviceId, UpdateModelRequest body) {
        services.get(account.id(), serviceId); // an unknown service is 404 before the (slow) model check
        if (body == null) {
            throw new ApiException(ErrorCode.InvalidRequest, "a JSON body {model} is required");
        }
        CheckedModel model = ModelCheck.check(body.model(), config.webServices().maxModelBytes());
        return WebServiceResponse.of(services.updateModel(account.id(), serviceId, model), config.publicUrl());
    }

    @POST
    @Path("/{serviceId}/keys/rotate")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Replace the primary or secondary API key; the new key is shown once")
    public WebServiceResponse rotateKey(@PathParam("serviceId") String serviceId, @QueryParam("key") String key) {
        return WebServiceResponse.of(services.rotateKey(account.id(), serviceId, key), config.publicUrl());
    }

    @DELETE
    @Path("/{serviceId}")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Delete the web service: its keys stop working; its model versions are kept for submitted jobs")
    public Response delete(@PathParam("serviceId") String serviceId) {
        services.delete(account.id(), serviceId);
        return Response.noContent().build();
    }

    @GET
    @Path("/{serviceId}/swagger.json")
    @AuthenticatesItself
    @Operation(summary = "Swagger 2.0 of the service's Batch Requests URL; the service's API key or the account key")
    public Map<String, Object> swagger(@PathParam("subscriptionId") String subscriptionId,
                                       @PathParam("serviceId") String serviceId,
                                       @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        ServiceView v = services.forClient(subscriptionId, serviceId, AuthFilter.bearer(authorization).orElse(null));
        return ServiceSwagger.describe(new ServiceSwagger.Service(config.publicUrl(), v.service().accountId,
                v.service().id, v.service().name, v.service().kind, v.service().billingPlanId, v.version().version(),
                v.inputs(), v.parameters()));
    }
}
