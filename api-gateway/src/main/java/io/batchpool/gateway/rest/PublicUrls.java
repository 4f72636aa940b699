package io.batchpool.gateway.rest;

import java.net.URI;

/**
 * Absolute URLs the gateway gives out ({@code Location}, BES {@code NextLink}): always {@code batchpool.public-url}
 * plus a path, never the request's {@code Host}, which a client (or anyone in between) chooses.
 */
final class PublicUrls {
    private PublicUrls() {
    }

    static String base(String publicUrl) {
        return publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    /** {@code publicUrl} + {@code path} (which starts with {@code /}). */
    static URI of(String publicUrl, String path) {
        return URI.create(base(publicUrl) + path);
    }
}
