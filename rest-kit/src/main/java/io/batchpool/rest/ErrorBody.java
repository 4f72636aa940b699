package io.batchpool.rest;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * The one error shape of every Batchpool HTTP API: {@code {"error":{"code":"PoolNotFound","message":"..."}}}, with
 * {@code WWW-Authenticate} on a 401 and {@code Retry-After} on a 429 or 503.
 */
public record ErrorBody(Detail error) {
    /** Seconds a client should wait before retrying a 429 or a 503. */
    public static final int RETRY_AFTER_SECONDS = 5;

    public record Detail(String code, String message) {
    }

    public static Response response(int status, String code, String message) {
        Response.ResponseBuilder builder = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(new Detail(code, message)));
        headers(status).forEach(builder::header);
        return builder.build();
    }

    public static Response response(CommonError code, String message) {
        return response(code.status(), code.name(), message);
    }

    /** The headers that go with an error status. */
    public static Map<String, String> headers(int status) {
        return switch (status) {
            case 401 -> Map.of(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            case 429, 503 -> Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
            default -> Map.of();
        };
    }

    /** The body as JSON text, for answers given below the REST layer (Vert.x handlers). */
    public static String json(String code, String message) {
        return "{\"error\":{\"code\":" + quote(code) + ",\"message\":" + quote(message) + "}}";
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
