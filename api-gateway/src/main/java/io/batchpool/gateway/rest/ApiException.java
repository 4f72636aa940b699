package io.batchpool.gateway.rest;

import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.Rejection;

/** A refused request; {@link ErrorMappers} turns it into the JSON error body with the code's HTTP status. */
public class ApiException extends RuntimeException {
    private final Rejection rejection;

    public ApiException(Rejection rejection) {
        super(rejection.code() + ": " + rejection.message(), null, false, false);
        this.rejection = rejection;
    }

    public ApiException(ErrorCode code, String message) {
        this(new Rejection(code, message));
    }

    public Rejection rejection() {
        return rejection;
    }
}
