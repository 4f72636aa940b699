package io.batchpool.contracts.job;

/**
 * Where a job reads an input or writes an output, as the client gave it (an Azure BES AzureBlobDataReference),
 * with its credential sealed: {@code sealedCredential} is the connection string (kind CONNECTION_STRING) or the
 * SAS token (kind SAS), encrypted with AES-GCM by the gateway ({@code v1:<base64>}); only VM agents can open it.
 * Nothing else on the wire carries a storage credential.
 * <p>
 * Kind LOCAL_FILE (the embedded default's local-file storage, {@code "ConnectionString": "UseLocalFiles=true"}):
 * a file of one account, under {@code <batchpool.local-files.root>/<accountId>/}, a directory tree the gateway and
 * the agents share; {@code baseLocation} is {@link #LOCAL_FILE_BASE}, {@code relativeLocation} the checked path under
 * the account's directory and {@code sealedCredential} the account id, sealed by the gateway (the account whose key
 * submitted the job): an agent reads and writes under that account's directory only.
 *
 * @param baseLocation     SAS kind: the container URL the client gave; CONNECTION_STRING kind: the blob endpoint;
 *                         LOCAL_FILE kind: {@link #LOCAL_FILE_BASE}
 * @param relativeLocation {@code container/path/blob.csv} (LOCAL_FILE: {@code dir/file.csv} under the account's
 *                         directory), no leading slash
 * @param sealedCredential the sealed credential; for kind LOCAL_FILE the sealed account id
 */
public record BlobLocation(Kind kind, String baseLocation, String relativeLocation, String sealedCredential) {
    /** The {@code baseLocation} of a local file, here and in a {@link ResultLocation}. */
    public static final String LOCAL_FILE_BASE = "file:";

    public enum Kind {
        CONNECTION_STRING, SAS, LOCAL_FILE
    }

    /**
     * A local file of one account ({@code relativeLocation} already checked by the gateway, under the directory of
     * the account {@code sealedAccount} names).
     */
    public static BlobLocation localFile(String relativeLocation, String sealedAccount) {
        return new BlobLocation(Kind.LOCAL_FILE, LOCAL_FILE_BASE, relativeLocation, sealedAccount);
    }
}
