package io.batchpool.billing.rest;

import io.batchpool.billing.config.BillingConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.ext.Provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Lets a request through only with {@code Authorization: Bearer <operator key>}; otherwise 401 Unauthorized. */
@Provider
@OperatorOnly
public class OperatorKeyFilter implements ContainerRequestFilter {
    private static final String BEARER = "bearer ";
    // looked up per request: REST filters are built at static init, before runtime configuration exists
    private final Instance<BillingConfig> config;

    public OperatorKeyFilter(Instance<BillingConfig> config) {
        this.config = config;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            request.abortWith(unauthorized("missing operator key: send Authorization: Bearer <operator key>"));
            return;
        }
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        byte[] key = config.get().operatorKey().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, key)) { // constant time
            request.abortWith(unauthorized("wrong operator key"));
        }
    }

    private static Response unauthorized(String message) {
        return Response.fromResponse(ApiError.response(401, "Unauthorized", message))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
}
