package io.batchpool.rest;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What every service checks before its REST layer sees a request, and the JSON error body for the 4xx statuses the
 * HTTP layer's handlers fail a request with: a request URI longer than
 * {@link #MAX_URI_LENGTH} is a 414 with the JSON error body (the HTTP layer's own limit,
 * {@code quarkus.http.limits.max-initial-line-length}, is set above it in rest-kit's configuration defaults), and {@code /q/metrics} needs the operator
 * key. The answers given here are labelled {@link Routes#UNMATCHED} in the HTTP metrics, never with their path.
 */
@ApplicationScoped
public class HttpGuards {
    static final String METRICS = "/q/metrics";
    /** Longer than any URL of our APIs needs (ids are 32 characters). */
    public static final int MAX_URI_LENGTH = 8192;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            if (ctx.request().uri().length() > MAX_URI_LENGTH) {
                reject(ctx, CommonError.UriTooLong, "the request URI is longer than " + MAX_URI_LENGTH
                        + " characters");
                return;
            }
            String path = ctx.request().path();
            if (path != null && (path.equals(METRICS) || path.startsWith(METRICS + "/"))
                    && !OperatorKey.matches(ctx.request().getHeader(HttpHeaders.AUTHORIZATION),
                    InternalApiFilter.operatorKey())) {
                reject(ctx, CommonError.Unauthorized, "metrics need the operator key: send Authorization: "
                        + "Bearer <operator key>");
                return;
            }
            ctx.next();
        });
        // the statuses the HTTP layer's own handlers fail a request with get the JSON body too
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            CommonError code = CommonError.forStatus(ctx.statusCode());
            if (code == null || ctx.statusCode() >= 500 || ctx.response().headWritten()) {
                ctx.next();
                return;
            }
            reject(ctx, code, switch (code) {
                case InvalidRequest -> "malformed HTTP request (e.g. HTTP/1.1 without a Host header)";
                case RequestTooLarge -> "request body too large";
                case NotFound -> "no such resource";
                default -> "HTTP " + ctx.statusCode();
            });
        });
    }

    /** Answers {@code code} with the JSON error body and closes the connection (the request is not read). */
    public static void reject(RoutingContext ctx, CommonError code, String message) {
        reject(ctx, code.status(), code.name(), message);
    }

    public static void reject(RoutingContext ctx, int status, String code, String message) {
        Routes.labelMetrics(ctx.request(), Routes.UNMATCHED);
        var response = ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        ErrorBody.headers(status).forEach(response::putHeader);
        if (!ctx.request().isEnded()) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(ErrorBody.json(code, message));
    }
}
