package io.batchpool.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The operator key check of every service: {@code Authorization: Bearer <batchpool.operator-key>}. */
public final class OperatorKey {
    private static final String BEARER = "Bearer ";

    private OperatorKey() {
    }

    /** The key of an {@code Authorization: Bearer <key>} header value, or null. */
    public static String bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = header.substring(BEARER.length()).trim();
        return key.isEmpty() ? null : key;
    }

    /** True when the header carries exactly the operator key (compared in constant time). */
    public static boolean matches(String authorizationHeader, String operatorKey) {
        String given = bearer(authorizationHeader);
        return given != null && operatorKey != null && !operatorKey.isEmpty()
                && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                operatorKey.getBytes(StandardCharsets.UTF_8));
    }
}
