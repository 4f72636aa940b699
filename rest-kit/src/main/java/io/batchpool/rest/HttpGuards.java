package io.batchpool.rest;

import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Map;

/**
 * What every service checks before its REST layer sees a request, each answered with the JSON error body without
 * waiting for the body, and the connection closed (see {@link #reject}): an HTTP version other than 1.0 and 1.1 (400 InvalidRequest), a request URI
 * longer than {@link #MAX_URI_LENGTH} (414 UriTooLong), header fields larger than {@link #MAX_HEADER_BYTES} together
 * (431 HeadersTooLarge), a declared body larger than {@code quarkus.http.limits.max-body-size} (413 RequestTooLarge),
 * and {@code /q/metrics} without the operator key (401). The HTTP layer's own limits
 * ({@code quarkus.http.limits.max-initial-line-length} and {@code max-header-size}, rest-kit's configuration defaults)
 * are set well above the first two so that these checks answer first: the HTTP layer answers with a bare status.
 * The answers given here are labelled {@link Routes#UNMATCHED} in the HTTP metrics, never with their path.
 */
@ApplicationScoped
public class HttpGuards {
    static final String METRICS = "/q/metrics";
    /** Longer than any URL of our APIs needs (ids are 32 characters). */
    public static final int MAX_URI_LENGTH = 8192;
    /**
     * The header fields of a request together, counted as sent ({@code name: value} and CRLF per field): far more than
     * any client of our APIs sends (a key, a content type, an idempotency key).
     */
    public static final int MAX_HEADER_BYTES = 20 * 1024;
    static final String MAX_BODY_SIZE = "quarkus.http.limits.max-body-size";
    /** How long a refused request's connection stays open for the rest of a body the answer did not need. */
    static final long LINGER_MILLIS = 1000;

    void install(@Observes Router router) {
        long maxBody = maxBodyBytes();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            if (request.version() == null) {
                // Netty takes any token of the form NAME/1.1 as a version, and Vert.x would answer in it
                reject(ctx, CommonError.InvalidRequest, "unsupported HTTP version: send HTTP/1.1");
                return;
            }
            if (request.uri().length() > MAX_URI_LENGTH) {
                reject(ctx, CommonError.UriTooLong, "the request URI is longer than " + MAX_URI_LENGTH
                        + " characters");
                return;
            }
            long headerBytes = headerBytes(request.headers());
            if (headerBytes > MAX_HEADER_BYTES) {
                reject(ctx, CommonError.HeadersTooLarge, "the request's header fields take " + headerBytes
                        + " bytes, more than " + MAX_HEADER_BYTES);
                return;
            }
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredLength(length) > maxBody) {
                reject(ctx, CommonError.RequestTooLarge, "request body larger than " + maxBody + " bytes");
                return;
            }
            String path = request.path();
            if (path != null && (path.equals(METRICS) || path.startsWith(METRICS + "/"))
                    && !OperatorKey.matches(request.getHeader(HttpHeaders.AUTHORIZATION),
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

    /**
     * Answers {@code code} with the JSON error body at once and closes the connection: when the rest of the body has
     * come, or {@link #LINGER_MILLIS} after the answer.
     */
    public static void reject(RoutingContext ctx, CommonError code, String message) {
        reject(ctx, code.status(), code.name(), message);
    }

    public static void reject(RoutingContext ctx, int status, String code, String message) {
        Routes.labelMetrics(ctx.request(), Routes.UNMATCHED);
        var response = ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        ErrorBody.headers(status).forEach(response::putHeader);
        if (!ctx.request().isEnded()) {
            // Vert.x closes the connection once the rest of the body has come: a client that sends all of it before it
            // reads gets this answer; one that announced more than it sends is cut off after LINGER_MILLIS
            response.putHeader(HttpHeaders.CONNECTION, "close");
            if (ctx.request().version() != HttpVersion.HTTP_2) {
                response.endHandler(done -> ctx.vertx().setTimer(LINGER_MILLIS,
                        timer -> ctx.request().connection().close()));
            }
        }
        response.end(ErrorBody.json(code, message));
    }

    /** The size of the header fields as sent: {@code name: value} and CRLF per field. */
    static long headerBytes(MultiMap headers) {
        long bytes = 0;
        for (Map.Entry<String, String> header : headers) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    /** The HTTP layer's cap on a body, which it would answer with a bare 413; no cap when it is not configured. */
    private static long maxBodyBytes() {
        return ConfigProvider.getConfig().getOptionalValue(MAX_BODY_SIZE, String.class)
                .map(size -> new MemorySizeConverter().convert(size).asLongValue())
                .orElse(Long.MAX_VALUE);
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP layer refuses a malformed length before any route
        }
    }
}
