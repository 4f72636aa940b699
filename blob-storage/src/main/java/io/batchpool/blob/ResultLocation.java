package io.batchpool.blob;

import java.net.URI;
import java.util.Objects;

/**
 * Where a client downloads a job output: the three fields of a BES {@code Results} entry. A client fetches
 * {@code baseLocation + relativeLocation + sasBlobToken} with a plain HTTP GET and no other credentials.
 *
 * @param baseLocation     storage URL ending in {@code /}
 * @param relativeLocation {@code container/blob}, without leading slash, URL-encoded
 * @param sasBlobToken     SAS token starting with {@code ?}
 */
public record ResultLocation(String baseLocation, String relativeLocation, String sasBlobToken) {
    public ResultLocation {
        Objects.requireNonNull(baseLocation, "baseLocation");
        Objects.requireNonNull(relativeLocation, "relativeLocation");
        Objects.requireNonNull(sasBlobToken, "sasBlobToken");
        if (!baseLocation.endsWith("/") || relativeLocation.startsWith("/") || !sasBlobToken.startsWith("?")) {
            throw new IllegalArgumentException("BaseLocation ends with '/', RelativeLocation has no leading '/', "
                    + "SasBlobToken starts with '?'");
        }
    }

    /** The download URL, exactly as a client builds it. Contains the SAS signature: do not log it. */
    public URI downloadUrl() {
        return URI.create(baseLocation + relativeLocation + sasBlobToken);
    }

    @Override
    public String toString() {
        return "ResultLocation[" + baseLocation + relativeLocation + SasTokens.redact(sasBlobToken) + "]";
    }
}
