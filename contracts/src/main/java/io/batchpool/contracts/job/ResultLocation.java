package io.batchpool.contracts.job;

/**
 * Where a client downloads an output: {@code baseLocation + relativeLocation + sasBlobToken}, fetched with no other
 * credentials (BES {@code Results}). The token is read-only and for that one blob (24 h by default) or the
 * client's own SAS token echoed back (which may allow writing). Either way it is a credential: on Kafka
 * {@code sasBlobToken} is sealed like the credentials of a {@link JobSpec} ({@code v1:<base64>}, AES-GCM); the gateway
 * opens it only to answer the client's status request.
 * <p>
 * A local file (an output of kind {@link BlobLocation.Kind#LOCAL_FILE}) is reported as {@code baseLocation}
 * {@link BlobLocation#LOCAL_FILE_BASE}, {@code relativeLocation} its path under the directory of the job's account and
 * {@code sasBlobToken} null: the gateway serves it and signs a fresh download URL whenever it answers a status request.
 */
public record ResultLocation(String baseLocation, String relativeLocation, String sasBlobToken) {

    /** A committed local file, by its path under the directory of the job's account. */
    public static ResultLocation localFile(String relativeLocation) {
        return new ResultLocation(BlobLocation.LOCAL_FILE_BASE, relativeLocation, null);
    }

    /**
     * Whether this is a local file (see {@link #localFile}), which the gateway serves itself. (Not named like a
     * getter, so that Jackson does not write it as a field.)
     */
    public boolean pointsToLocalFile() {
        return BlobLocation.LOCAL_FILE_BASE.equals(baseLocation);
    }
}
