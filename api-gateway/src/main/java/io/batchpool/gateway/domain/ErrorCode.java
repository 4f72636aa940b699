package io.batchpool.gateway.domain;

/**
 * The error codes of the gateway's HTTP API: the {@code error.code} of every 4xx/5xx body, with the HTTP status
 * that carries it. Clients act on the code, so codes are a contract: add new ones, never rename.
 */
public enum ErrorCode {
    /** A field is missing, of the wrong type or out of range, or the request is inconsistent. */
    InvalidRequest(400),
    /** A BES call without {@code ?api-version=2.0}, or with a version this gateway does not speak. */
    UnsupportedApiVersion(400),
    /** An AzureBlobDataReference that cannot name a blob: fields missing or malformed, or a bad connection string. */
    InvalidBlobReference(400),
    /** A blob endpoint outside the allow-list (the Azure public suffix and the configured emulators). */
    BlobEndpointNotAllowed(400),
    /** The body is not JSON at all. */
    MalformedJson(400),
    /** A serviceUrl that is not the swagger.json URL of a Batchpool web service. */
    InvalidServiceUrl(400),
    /** The web service's model is not valid base64, not ONNX, breaks the model contract or fails to score a row. */
    InvalidModel(400),
    /** Create Pool with the swagger.json URL of a classic web service: only "new" services carry a billing plan. */
    ClassicServiceHasNoPlan(400),
    /** Missing or wrong key, or a key of another subscription. */
    Unauthorized(401),
    /** The account's key is right but the operator disabled the account. */
    AccountDisabled(403),
    /** A local file's download link whose signature does not match (altered, or not made by this gateway). */
    DownloadLinkInvalid(403),
    /** A genuine local file's download link that has expired: the job's status gives a fresh one. */
    DownloadLinkExpired(403),
    /** The account's quota (max pools, max VMs per pool) does not allow the request. */
    QuotaExceeded(403),
    /** No such route. */
    NotFound(404),
    /** No such account (operator API). */
    AccountNotFound(404),
    /** No such pool for this account (also another account's pool and a deleted one). */
    PoolNotFound(404),
    /** No such web service for this account (also another account's service and a deleted one). */
    WebServiceNotFound(404),
    MethodNotAllowed(405),
    NotAcceptable(406),
    /** No such BES job of this web service. */
    JobNotFound(404),
    /** A local file's download link is genuine but the file is gone (deleted, or another local files root). */
    FileNotFound(404),
    /** The pool is being deleted: it cannot be resized, and takes no new jobs. */
    PoolDeleting(409),
    /** The job is Finished, Failed or Cancelled: it cannot be started or cancelled. */
    JobEnded(409),
    /** The body is larger than any request of this API needs. */
    RequestTooLarge(413),
    UnsupportedMediaType(415),
    /** The account has as many waiting (not yet running) jobs as it may; retry after {@code Retry-After} seconds. */
    TooManyQueuedJobs(429),
    /** A bug or an unavailable database; never caused by what a client sends. */
    InternalError(500),
    ServiceUnavailable(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
