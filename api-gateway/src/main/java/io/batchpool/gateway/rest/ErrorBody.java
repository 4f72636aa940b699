package io.batchpool.gateway.rest;

import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.Rejection;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The one error shape of the API: {@code {"error":{"code":"PoolNotFound","message":"..."}}}. */
public record ErrorBody(Detail error) {
    /** Seconds a client should wait before retrying a 429 (too many waiting jobs) or a 503. */
    public static final int RETRY_AFTER_SECONDS = 5;

    public record Detail(String code, String message) {
    }

    public static Response response(Rejection rejection) {
        Response.ResponseBuilder builder = Response.status(rejection.code().httpStatus())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(new Detail(rejection.code().name(), rejection.message())));
        if (rejection.code() == ErrorCode.Unauthorized) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        if (rejection.code() == ErrorCode.TooManyQueuedJobs || rejection.code() == ErrorCode.ServiceUnavailable) {
            builder.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return builder.build();
    }

    public static Response response(ErrorCode code, String message) {
        return response(new Rejection(code, message));
    }
}
