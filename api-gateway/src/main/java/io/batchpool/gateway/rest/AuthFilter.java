package io.batchpool.gateway.rest;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.AccountKeys;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.store.AccountEntity;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Authenticates before the body is read, so a wrong key is a 401 whatever the body: the operator key for
 * {@link OperatorApi} resources; for {@link AccountApi} resources the account key, which must belong to the
 * subscription (or workspace) in the path. Runs on the endpoint's worker thread (it reads the database).
 */
public class AuthFilter {
    private static final String BEARER = "Bearer ";

    private final GatewayConfig config;
    private final CurrentAccount current;

    @Inject
    public AuthFilter(GatewayConfig config, CurrentAccount current) {
        this.config = config;
        this.current = current;
    }

    @ServerRequestFilter
    public void authenticate(ContainerRequestContext request, ResourceInfo resource) {
        Class<?> type = resource == null ? null : resource.getResourceClass();
        if (type == null) {
            return;
        }
        if (resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(AuthenticatesItself.class)) {
            return;
        }
        if (type.isAnnotationPresent(OperatorApi.class)) {
            if (!AccountKeys.matches(bearer(request).orElse(null), config.operatorKey())) {
                throw new ApiException(ErrorCode.Unauthorized, "missing or wrong operator key");
            }
        } else if (type.isAnnotationPresent(AccountApi.class)) {
            String subscriptionId = request.getUriInfo().getPathParameters().getFirst("subscriptionId");
            String key = bearer(request).orElseThrow(() -> new ApiException(ErrorCode.Unauthorized,
                    "missing Authorization: Bearer <account key>"));
            AccountEntity account = AccountEntity.byKeyHash(AccountKeys.hash(key))
                    .filter(a -> a.id.equals(subscriptionId))
                    .orElseThrow(() -> new ApiException(ErrorCode.Unauthorized,
                            "the key is not a key of subscription " + abbreviate(subscriptionId)));
            if (account.disabled) {
                throw new ApiException(ErrorCode.AccountDisabled, "account " + account.id + " is disabled");
            }
            current.set(account.id);
        }
    }

    static Optional<String> bearer(ContainerRequestContext request) {
        return bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    /** The key of an {@code Authorization: Bearer <key>} header value. */
    static Optional<String> bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String key = header.substring(BEARER.length()).trim();
        return key.isEmpty() ? Optional.empty() : Optional.of(key);
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "";
        }
        String cleaned = value.replaceAll("[^0-9A-Za-z_-]", "?");
        return cleaned.length() > 40 ? cleaned.substring(0, 40) + "..." : cleaned;
    }
}
