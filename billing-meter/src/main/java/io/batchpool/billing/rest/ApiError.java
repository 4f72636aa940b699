package io.batchpool.billing.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The one error body of every 4xx/5xx: {@code {"error":{"code":"InvalidRange","message":"..."}}}. */
public record ApiError(Detail error) {

    public record Detail(String code, String message) {
    }

    public static Response response(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(new Detail(code, message))).build();
    }
}
