package io.batchpool.gateway.rest;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.rest.HttpGuards;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * The body limit of every route, for every transfer encoding, answered 413 RequestTooLarge with the API's JSON
 * error: {@code batchpool.max-request-bytes}, except the two endpoints that carry a base64 model (POST .../services,
 * PUT .../services/{id}/model), which have {@code batchpool.web-services.max-request-bytes}. A declared
 * {@code Content-Length} is judged before anything reads the request; a body without one (chunked) is read after
 * {@link AuthFilter} accepted the key, at most one byte past the limit.
 */
@ApplicationScoped
public class RequestSizeLimit {
    private static final Pattern MODEL_UPLOAD =
            Pattern.compile("/(?:subscriptions|workspaces)/[^/]+/services(?:/[^/]+/model)?/?");

    private final GatewayConfig config;

    public RequestSizeLimit(GatewayConfig config) {
        this.config = config;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            long max = maxFor(ctx.request().path());
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && tooLong(length, max)) {
                HttpGuards.reject(ctx, ErrorCode.RequestTooLarge.httpStatus(), ErrorCode.RequestTooLarge.name(),
                        tooLarge(max));
                return;
            }
            ctx.next();
        });
    }

    /** Reads a body of unknown length (chunked) up to the limit; after authentication, before the endpoint. */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 100)
    public void limitUnknownLength(ContainerRequestContext request) throws IOException {
        if (request.getHeaderString(HttpHeaders.CONTENT_LENGTH) != null
                || request.getHeaderString("Transfer-Encoding") == null) {
            return; // a declared length was judged above; no Transfer-Encoding and no length: no body
        }
        long max = maxFor(request.getUriInfo().getRequestUri().getRawPath());
        InputStream in = request.getEntityStream();
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (body.length > max) {
            throw new ApiException(ErrorCode.RequestTooLarge, tooLarge(max));
        }
        request.setEntityStream(new ByteArrayInputStream(body));
    }

    private long maxFor(String path) {
        return path != null && MODEL_UPLOAD.matcher(path).matches()
                ? config.webServices().maxRequestBytes() : config.maxRequestBytes();
    }

    private static String tooLarge(long max) {
        return "request body larger than " + max + " bytes";
    }

    private static boolean tooLong(String header, long max) {
        try {
            return Long.parseLong(header.trim()) > max;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer rejects a malformed length itself
        }
    }
}
