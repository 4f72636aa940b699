package io.batchpool.blob;

/** The blob (or its container) does not exist. */
public class BlobNotFoundException extends BlobStoreException {
    private final String container;
    private final String blobName;

    public BlobNotFoundException(String container, String blobName, String errorCode, Throwable cause) {
        super(("ContainerNotFound".equals(errorCode)
                ? "container '" + container + "' does not exist (looking for blob '" + blobName + "')"
                : "blob '" + blobName + "' does not exist in container '" + container + "'"),
                404, errorCode, cause);
        this.container = container;
        this.blobName = blobName;
    }

    public String container() {
        return container;
    }

    public String blobName() {
        return blobName;
    }
}
