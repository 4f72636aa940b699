package io.batchpool.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Lets a call to an {@link InternalApi} resource through only with the operator key; otherwise 401. */
public class InternalApiFilter {

    @ServerRequestFilter
    public void authenticate(ContainerRequestContext request, ResourceInfo resource) {
        Class<?> type = resource == null ? null : resource.getResourceClass();
        if (type == null || !type.isAnnotationPresent(InternalApi.class)) {
            return;
        }
        if (!OperatorKey.matches(request.getHeaderString(HttpHeaders.AUTHORIZATION), operatorKey())) {
            throw new ApiException(CommonError.Unauthorized,
                    "this internal API needs the operator key: send Authorization: Bearer <operator key>");
        }
    }

    static String operatorKey() {
        return ConfigProvider.getConfig().getOptionalValue("batchpool.operator-key", String.class).orElse(null);
    }
}
