package io.batchpool.contracts.job;

/**
 * Where a client downloads an output: {@code baseLocation + relativeLocation + sasBlobToken}, fetched with no other
 * credentials (BES {@code Results}). The token is read-only and for that one blob (24 h by default) or the
 * client's own SAS token echoed back.
 */
public record ResultLocation(String baseLocation, String relativeLocation, String sasBlobToken) {
}
