package io.batchpool.blob;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * Encrypts storage credentials (connection strings, SAS tokens) so they can travel on Kafka: AES-256-GCM with a
 * random 96-bit nonce per message and a 128-bit tag. Output: {@code v1:<base64(nonce | ciphertext | tag)>}. The key
 * comes from configuration as base64 of 32 bytes ({@link #generateKey()} makes one). Optional associated data (e.g.
 * the job id) binds a ciphertext to its context: decrypting it under another context fails.
 * Instances are thread-safe; {@link #toString()} never shows the key.
 */
public final class SecretCipher {
    public static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private SecretCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A cipher for a base64-encoded 256-bit key (standard or URL-safe alphabet). */
    public static SecretCipher fromBase64Key(String base64Key) {
        Objects.requireNonNull(base64Key, "base64Key");
        byte[] k;
        try {
            String s = base64Key.trim();
            k = (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret key is not valid base64");
        }
        if (k.length != 32) {
            throw new IllegalArgumentException("the secret key must be 256 bits (32 bytes, base64), it has " + k.length + " bytes");
        }
        return new SecretCipher(k);
    }

    /** A fresh random 256-bit key, base64-encoded, for configuration. */
    public static String generateKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    public String encrypt(String plaintext) {
        return encrypt(plaintext, "");
    }

    /** Encrypts; {@code context} (e.g. a job id) must be given again, identical, to decrypt. */
    public String encrypt(String plaintext, String context) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(context));
            byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
            return PREFIX + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    public String decrypt(String ciphertext) {
        return decrypt(ciphertext, "");
    }

    /** Decrypts what {@link #encrypt(String, String)} made with the same key and context. */
    public String decrypt(String ciphertext, String context) {
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (!ciphertext.startsWith(PREFIX)) {
            throw new DecryptionException("not an encrypted secret (expected the prefix " + PREFIX + ")");
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(ciphertext.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new DecryptionException("encrypted secret is not valid base64");
        }
        if (all.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new DecryptionException("encrypted secret is too short");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            c.updateAAD(aad(context));
            byte[] plain = c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new DecryptionException("encrypted secret was altered, or made with another key or context");
        } catch (GeneralSecurityException e) {
            throw new DecryptionException("encrypted secret cannot be decrypted: " + e.getClass().getSimpleName());
        }
    }

    /** Whether a value looks like this class's output (so it must be decrypted before use). */
    public static boolean isEncrypted(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    private static byte[] aad(String context) {
        return (context == null ? "" : context).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SecretCipher[AES-256-GCM, key=***]";
    }

    /** A ciphertext that is malformed, was altered, or was made with another key or context. */
    public static final class DecryptionException extends RuntimeException {
        public DecryptionException(String message) {
            super(message);
        }
    }
}
