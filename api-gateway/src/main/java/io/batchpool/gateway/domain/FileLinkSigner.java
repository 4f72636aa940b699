package io.batchpool.gateway.domain;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Signs and checks the download links of local files (DESIGN §3, Outputs and Results): the query
 * {@code ?expires=<epoch seconds>&sig=<hex HMAC-SHA256 of "<path>\n<expires>">} makes a link good for that one path
 * until it expires, and nobody without the key can make one (a read-only SAS of our own). The path signed is the
 * file's path under the local files root, {@code <accountId>/<path under the account's directory>}, so a link never
 * serves another account's file. The HMAC key is derived from the secrets key ({@code batchpool.secrets.key}) with a
 * fixed purpose label, so it is never the AES key that seals credentials; the label's version changed when paths
 * became per account, so links signed before that (for paths without an account) are all invalid. Thread-safe.
 */
public final class FileLinkSigner {
    /** What a link's query says about it. */
    public enum Verdict {
        /** Signed by this key for this path, and not expired. */
        VALID,
        /** Missing, malformed or wrong signature or expiry (also a link of another path). */
        INVALID,
        /** A genuine link whose time has passed: poll the job status for a fresh one. */
        EXPIRED
    }

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] PURPOSE = "batchpool local-file download links v2".getBytes(StandardCharsets.UTF_8);
    private static final Pattern EXPIRES = Pattern.compile("[0-9]{1,18}");
    private static final Pattern SIG = Pattern.compile("[0-9a-fA-F]{64}");

    private final SecretKeySpec key;

    /** @param secretKey the secrets key's bytes; the signing key is derived from it */
    public FileLinkSigner(byte[] secretKey) {
        Objects.requireNonNull(secretKey, "secretKey");
        if (secretKey.length < 16) {
            throw new IllegalArgumentException("the secret key is too short to sign links");
        }
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(secretKey, ALGORITHM), PURPOSE), ALGORITHM);
    }

    /** A signer for the base64 secrets key of the configuration (standard or URL-safe alphabet). */
    public static FileLinkSigner fromBase64Key(String base64Key) {
        Objects.requireNonNull(base64Key, "base64Key");
        String s = base64Key.trim();
        byte[] k;
        try {
            k = (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret key is not valid base64");
        }
        return new FileLinkSigner(k);
    }

    /** The hex signature of a path (under the local files root, as stored) and an expiry. */
    public String signature(String path, long expiresEpochSecond) {
        return HexFormat.of().formatHex(hmac(key, message(path, expiresEpochSecond)));
    }

    /** The token clients append: {@code ?expires=...&sig=...}. */
    public String token(String path, Instant expiresAt) {
        long expires = expiresAt.getEpochSecond();
        return "?expires=" + expires + "&sig=" + signature(path, expires);
    }

    /**
     * Checks a link's query parameters for a path. The signature is checked first (in constant time), so an
     * expired link is reported as such only when it is genuine.
     */
    public Verdict check(String path, String expires, String sig, Instant now) {
        if (path == null || expires == null || sig == null || !EXPIRES.matcher(expires).matches()
                || !SIG.matcher(sig).matches()) {
            return Verdict.INVALID;
        }
        long expiresAt = Long.parseLong(expires);
        byte[] expected = signature(path, expiresAt).getBytes(StandardCharsets.US_ASCII);
        byte[] given = sig.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            return Verdict.INVALID;
        }
        return now.getEpochSecond() > expiresAt ? Verdict.EXPIRED : Verdict.VALID;
    }

    @Override
    public String toString() {
        return "FileLinkSigner[key hidden]";
    }

    private static byte[] message(String path, long expires) {
        // a path never holds a newline (control characters are refused), so the message is unambiguous
        return (path + "\n" + expires).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
