package io.batchpool.gateway.rest;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.AccountKeys;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.service.WebServiceService;
import io.batchpool.gateway.store.AccountEntity;
import io.batchpool.rest.OperatorKey;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Authenticates before the body is read (request filters run before Quarkus REST reads a body), so a wrong key is
 * a 401 whatever the body, and an unauthenticated body is never read: the operator key for {@link OperatorApi}
 * resources; for {@link AccountApi} resources the account key, which must belong to the subscription (or
 * workspace) in the path; for {@link ServiceApi} resources {@code ?api-version=2.0} and the web service's API key or
 * its account's key. Runs on the endpoint's worker thread (it reads the database).
 */
public class AuthFilter {
    static final String API_VERSION = "2.0";

    private final GatewayConfig config;
    private final CurrentAccount current;
    private final CurrentService currentService;
    private final WebServiceService services;

    @Inject
    public AuthFilter(GatewayConfig config, CurrentAccount current, CurrentService currentService,
                      WebServiceService services) {
        this.config = config;
        this.current = current;
        this.currentService = currentService;
        this.services = services;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public void authenticate(ContainerRequestContext request, ResourceInfo resource) {
        Class<?> type = resource == null ? null : resource.getResourceClass();
        if (type == null) {
            return;
        }
        if (resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(AuthenticatesItself.class)) {
            return;
        }
        String subscriptionId = request.getUriInfo().getPathParameters().getFirst("subscriptionId");
        if (type.isAnnotationPresent(OperatorApi.class)) {
            if (!OperatorKey.matches(request.getHeaderString(HttpHeaders.AUTHORIZATION), config.operatorKey())) {
                throw new ApiException(ErrorCode.Unauthorized, "missing or wrong operator key");
            }
        } else if (type.isAnnotationPresent(AccountApi.class)) {
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
        } else if (type.isAnnotationPresent(ServiceApi.class)) {
            checkApiVersion(request.getUriInfo().getQueryParameters().getFirst("api-version"));
            String serviceId = request.getUriInfo().getPathParameters().getFirst("serviceId");
            currentService.set(services.forClient(subscriptionId, serviceId, bearer(request).orElse(null)));
        }
    }

    static void checkApiVersion(String apiVersion) {
        if (apiVersion == null) {
            throw new ApiException(ErrorCode.UnsupportedApiVersion, "the query parameter api-version is required; "
                    + "this Batch Requests URL speaks api-version=" + API_VERSION);
        }
        if (!API_VERSION.equals(apiVersion)) {
            throw new ApiException(ErrorCode.UnsupportedApiVersion, "api-version " + printable(apiVersion)
                    + " is not supported; use api-version=" + API_VERSION);
        }
    }

    static Optional<String> bearer(ContainerRequestContext request) {
        return bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    /** The key of an {@code Authorization: Bearer <key>} header value. */
    static Optional<String> bearer(String header) {
        return Optional.ofNullable(OperatorKey.bearer(header));
    }

    private static String printable(String s) {
        String cleaned = s.replaceAll("[^0-9A-Za-z._-]", "?");
        return "'" + (cleaned.length() > 20 ? cleaned.substring(0, 20) + "..." : cleaned) + "'";
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "";
        }
        String cleaned = value.replaceAll("[^0-9A-Za-z_-]", "?");
        return cleaned.length() > 40 ? cleaned.substring(0, 40) + "..." : cleaned;
    }
}
