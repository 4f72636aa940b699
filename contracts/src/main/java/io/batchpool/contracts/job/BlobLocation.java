package io.batchpool.contracts.job;

/**
 * Where a job reads an input or writes an output, as the client gave it (an Azure BES AzureBlobDataReference),
 * with its credential sealed: {@code sealedCredential} is the connection string (kind CONNECTION_STRING) or the
 * SAS token (kind SAS), encrypted with AES-GCM by the gateway ({@code v1:<base64>}); only VM agents can open it.
 * Nothing else on the wire carries a storage credential.
 *
 * @param baseLocation     SAS kind: the container URL the client gave; CONNECTION_STRING kind: the blob endpoint
 * @param relativeLocation {@code container/path/blob.csv}, no leading slash
 */
public record BlobLocation(Kind kind, String baseLocation, String relativeLocation, String sealedCredential) {
    public enum Kind {
        CONNECTION_STRING, SAS
    }
}
