package io.batchpool.blob;

/**
 * A blob reference a client sent cannot be used: a field is missing or malformed, or it names a blob endpoint outside
 * the allow-list. The message names the field and what is wrong, in words a client can act on, and never contains an
 * account key or a SAS signature. A gateway answers it with a 4xx carrying {@link #code()} and {@link #getMessage()}.
 */
public class InvalidBlobReferenceException extends IllegalArgumentException {
    /** Code of a malformed or incomplete reference. */
    public static final String INVALID = "InvalidBlobReference";
    /** Code of a reference whose endpoint is not on the allow-list. */
    public static final String ENDPOINT_NOT_ALLOWED = "BlobEndpointNotAllowed";

    private final String field;
    private final String code;

    public InvalidBlobReferenceException(String field, String problem) {
        this(field, INVALID, problem);
    }

    public InvalidBlobReferenceException(String field, String code, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.code = code;
    }

    /** The AzureBlobDataReference field at fault: ConnectionString, BaseLocation, RelativeLocation or SasBlobToken. */
    public String field() {
        return field;
    }

    /** {@link #INVALID} or {@link #ENDPOINT_NOT_ALLOWED}. */
    public String code() {
        return code;
    }
}
