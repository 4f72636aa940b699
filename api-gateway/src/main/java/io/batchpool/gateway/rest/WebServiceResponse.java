package io.batchpool.gateway.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.batchpool.gateway.domain.ModelInput;
import io.batchpool.gateway.domain.ServiceSwagger;
import io.batchpool.gateway.service.WebServiceService.ServiceView;
import io.batchpool.gateway.service.WebServiceService.WithKeys;

import java.time.Instant;
import java.util.List;

/**
 * A web service as its owner sees it. The API keys appear only in the answers that create them (registration:
 * both; rotation: the new one); they are stored only as hashes. The model bytes are never returned.
 */
public record WebServiceResponse(String serviceId, String name, String kind, String billingPlanId, int version,
                                 String modelSha256, List<ModelInput> inputSchema, List<String> outputs,
                                 List<Parameter> parameters,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) String primaryKey,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) String secondaryKey,
                                 String batchRequestsUrl, String swaggerUrl, Instant createdAt, Instant updatedAt) {

    public record Parameter(String name,
                            @JsonProperty("default") @JsonInclude(JsonInclude.Include.NON_NULL) String defaultValue,
                            boolean required) {
    }

    static WebServiceResponse of(ServiceView v, String publicUrl) {
        return of(v, publicUrl, null, null);
    }

    static WebServiceResponse of(WithKeys k, String publicUrl) {
        return of(k.view(), publicUrl, k.primaryKey(), k.secondaryKey());
    }

    private static WebServiceResponse of(ServiceView v, String publicUrl, String primaryKey, String secondaryKey) {
        String url = ServiceSwagger.serviceUrl(publicUrl, v.service().accountId, v.service().id);
        return new WebServiceResponse(v.service().id, v.service().name, v.service().kind.wireName(),
                v.service().billingPlanId, v.version().version(), v.version().modelSha256(), v.inputs(),
                ServiceSwagger.OUTPUTS,
                v.parameters().stream().map(p -> new Parameter(p.name(), p.defaultValue(), p.required())).toList(),
                primaryKey, secondaryKey, url + "/jobs", url + "/swagger.json", v.service().createdAt,
                v.service().updatedAt);
    }
}
