package io.batchpool.contracts.job;

/**
 * Where a job reads an input or writes an output, as the client gave it (an Azure BES AzureBlobDataReference),
 * with its credential sealed: {@code sealedCredential} is the connection string (kind CONNECTION_STRING) or the
 * SAS token (kind SAS), encrypted with AES-GCM by the gateway ({@code v1:<base64>}); only VM agents can open it.
 * Nothing else on the wire carries a storage credential.
 * <p>
 * Kind LOCAL_FILE (the embedded default's local-file storage, {@code "ConnectionString": "UseLocalFiles=true"}):
 * a file under the directory {@code batchpool.local-files.root} that the gateway and the agents share;
 * {@code baseLocation} is {@link #LOCAL_FILE_BASE}, {@code relativeLocation} the checked path under that root and
 * {@code sealedCredential} null (there is no credential).
 *
 * @param baseLocation     SAS kind: the container URL the client gave; CONNECTION_STRING kind: the blob endpoint;
 *                         LOCAL_FILE kind: {@link #LOCAL_FILE_BASE}
 * @param relativeLocation {@code container/path/blob.csv} (LOCAL_FILE: {@code dir/file.csv} under the root), no
 *                         leading slash
 * @param sealedCredential the sealed credential; null for kind LOCAL_FILE
 */
public record BlobLocation(Kind kind, String baseLocation, String relativeLocation, String sealedCredential) {
    /** The {@code baseLocation} of a local file, here and in a {@link ResultLocation}. */
    public static final String LOCAL_FILE_BASE = "file:";

    public enum Kind {
        CONNECTION_STRING, SAS, LOCAL_FILE
    }

    /** A local file under the shared root ({@code relativeLocation} already checked by the gateway). */
    public static BlobLocation localFile(String relativeLocation) {
        return new BlobLocation(Kind.LOCAL_FILE, LOCAL_FILE_BASE, relativeLocation, null);
    }
}
