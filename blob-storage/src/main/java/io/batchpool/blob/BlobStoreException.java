package io.batchpool.blob;

/**
 * Blob storage refused or failed an operation. The message names the operation, the container and blob, and the
 * storage service's status and error code; it never contains credentials.
 */
public class BlobStoreException extends RuntimeException {
    private final int status;
    private final String errorCode;

    public BlobStoreException(String message, int status, String errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** HTTP status the storage service answered, or 0 when it could not be reached. */
    public int status() {
        return status;
    }

    /** The storage service's error code (e.g. {@code AuthorizationFailure}), or null. */
    public String errorCode() {
        return errorCode;
    }
}
