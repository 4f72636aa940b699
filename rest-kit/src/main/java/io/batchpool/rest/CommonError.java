package io.batchpool.rest;

/**
 * The error codes every Batchpool service answers for the conditions the HTTP layer itself detects, with their
 * status: one code per condition in every service. A service adds its own codes (e.g. {@code PoolNotFound}) for what
 * its resources refuse; codes are a contract: add new ones, never rename.
 */
public enum CommonError {
    /** A parameter, header or field is missing, malformed or out of range. */
    InvalidRequest(400),
    /** The body is not JSON. */
    MalformedJson(400),
    /** Missing or wrong key. */
    Unauthorized(401),
    /** No such route. */
    NotFound(404),
    /** The path exists but not with this method; {@code Allow} lists the methods it has. */
    MethodNotAllowed(405),
    /** The client accepts no media type this route answers with (JSON). */
    NotAcceptable(406),
    /** The body is larger than this route takes. */
    RequestTooLarge(413),
    /** The request line is longer than any route of this API needs. */
    UriTooLong(414),
    /** The request's header fields together are larger than this API takes. */
    HeadersTooLarge(431),
    /** A body of a media type this route does not read. */
    UnsupportedMediaType(415),
    /** A bug or an unavailable dependency; never caused by what a client sends. */
    InternalError(500),
    ServiceUnavailable(503);

    private final int status;

    CommonError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The code of a status the HTTP layer answers by itself, or null for one no client causes. */
    public static CommonError forStatus(int status) {
        return switch (status) {
            case 400 -> InvalidRequest;
            case 401 -> Unauthorized;
            case 404 -> NotFound;
            case 405 -> MethodNotAllowed;
            case 406 -> NotAcceptable;
            case 413 -> RequestTooLarge;
            case 414 -> UriTooLong;
            case 415 -> UnsupportedMediaType;
            case 431 -> HeadersTooLarge;
            case 503 -> ServiceUnavailable;
            default -> null;
        };
    }
}
