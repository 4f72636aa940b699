package io.batchpool.rest;

/** A refused request: {@link ErrorMappers} answers it with its status and the JSON error body. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public ApiException(CommonError code, String message) {
        this(code.status(), code.name(), message);
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
