package io.batchpool.contracts.job;

/**
 * Where a client downloads an output: {@code baseLocation + relativeLocation + sasBlobToken}, fetched with no other
 * credentials (BES {@code Results}). The token is read-only and for that one blob (24 h by default) or the
 * client's own SAS token echoed back (which may allow writing). Either way it is a credential: on Kafka
 * {@code sasBlobToken} is sealed like the credentials of a {@link JobSpec} ({@code v1:<base64>}, AES-GCM); the gateway
 * opens it only to answer the client's status request.
 */
public record ResultLocation(String baseLocation, String relativeLocation, String sasBlobToken) {
}
