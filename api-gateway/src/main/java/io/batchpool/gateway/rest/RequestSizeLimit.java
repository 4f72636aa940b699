package io.batchpool.gateway.rest;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.ErrorCode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.regex.Pattern;

/**
 * Refuses a body whose declared length exceeds {@code batchpool.max-request-bytes} before anything reads it, with
 * the API's JSON error (the HTTP layer's own limit would answer 413 without a body). The two endpoints that carry a
 * base64 model (POST .../services, PUT .../services/{id}/model) have their own, larger limit
 * ({@code batchpool.web-services.max-request-bytes}).
 */
@ApplicationScoped
public class RequestSizeLimit {
    private static final Pattern MODEL_UPLOAD =
            Pattern.compile("/(?:subscriptions|workspaces)/[^/]+/services(?:/[^/]+/model)?/?");

    void install(@Observes Router router, GatewayConfig config) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            long max = MODEL_UPLOAD.matcher(ctx.request().path()).matches()
                    ? config.webServices().maxRequestBytes() : config.maxRequestBytes();
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && tooLong(length, max)) {
                JsonObject error = new JsonObject().put("error", new JsonObject()
                        .put("code", ErrorCode.RequestTooLarge.name())
                        .put("message", "request body larger than " + max + " bytes"));
                ctx.response().setStatusCode(ErrorCode.RequestTooLarge.httpStatus())
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .end(error.encode());
                return;
            }
            ctx.next();
        });
    }

    private static boolean tooLong(String header, long max) {
        try {
            return Long.parseLong(header.trim()) > max;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer rejects a malformed length itself
        }
    }
}
