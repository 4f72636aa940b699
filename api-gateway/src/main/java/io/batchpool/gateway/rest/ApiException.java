package io.batchpool.gateway.rest;

import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.Rejection;

/** A refused request: rest-kit's ErrorMappers turn it into the JSON error body with the code's HTTP status. */
public class ApiException extends io.batchpool.rest.ApiException {

    public ApiException(Rejection rejection) {
        super(rejection.code().httpStatus(), rejection.code().name(), rejection.message());
    }

    public ApiException(ErrorCode code, String message) {
        this(new Rejection(code, message));
    }
}
