package io.batchpool.blob;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretCipherTest {
    static final String SECRET = "DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=c2VjcmV0LWtleS1kby1ub3QtbGVhaw==";
    private final String key = SecretCipher.generateKey();
    private final SecretCipher cipher = SecretCipher.fromBase64Key(key);

    @Test
    void roundTripsAndHidesThePlaintext() {
        String sealed = cipher.encrypt(SECRET);
        assertThat(sealed).startsWith("v1:").doesNotContain("AccountKey").doesNotContain("c2VjcmV0LWtleS1kby1ub3QtbGVhaw")
                .doesNotContain("myaccount");
        assertThat(new String(Base64.getDecoder().decode(sealed.substring(3)))).doesNotContain("myaccount");
        assertThat(cipher.decrypt(sealed)).isEqualTo(SECRET);
        assertThat(SecretCipher.fromBase64Key(key).decrypt(sealed)).as("same key, new instance").isEqualTo(SECRET);
        assertThat(cipher.encrypt("")).satisfies(e -> assertThat(cipher.decrypt(e)).isEmpty());
    }

    @Test
    void everyMessageGetsAFreshNonce() {
        Set<String> seen = new HashSet<>();
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String sealed = cipher.encrypt(SECRET);
            seen.add(sealed);
            byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
            nonces.add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, 12)));
            assertThat(raw.length).isEqualTo(12 + SECRET.length() + 16);
        }
        assertThat(seen).hasSize(200);
        assertThat(nonces).hasSize(200);
    }

    @Test
    void detectsTamperingWrongKeysAndWrongContext() {
        String sealed = cipher.encrypt(SECRET, "job-1");
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        for (int i = 0; i < raw.length; i += 7) {
            byte[] flipped = raw.clone();
            flipped[i] ^= 0x01;
            String tampered = "v1:" + Base64.getEncoder().encodeToString(flipped);
            assertThatThrownBy(() -> cipher.decrypt(tampered, "job-1"))
                    .isInstanceOf(SecretCipher.DecryptionException.class).hasMessageContaining("altered");
        }
        assertThat(cipher.decrypt(sealed, "job-1")).isEqualTo(SECRET);
        assertThatThrownBy(() -> cipher.decrypt(sealed, "job-2")).isInstanceOf(SecretCipher.DecryptionException.class);
        assertThatThrownBy(() -> SecretCipher.fromBase64Key(SecretCipher.generateKey()).decrypt(sealed, "job-1"))
                .isInstanceOf(SecretCipher.DecryptionException.class);
        assertThatThrownBy(() -> cipher.decrypt(sealed.substring(0, 20), "job-1")).isInstanceOf(SecretCipher.DecryptionException.class);
        assertThatThrownBy(() -> cipher.decrypt("v1:@@@", "job-1")).isInstanceOf(SecretCipher.DecryptionException.class);
        assertThatThrownBy(() -> cipher.decrypt(SECRET)).isInstanceOf(SecretCipher.DecryptionException.class)
                .hasMessageNotContaining("AccountKey");
    }

    @Test
    void keysMustBe256BitBase64AndAreNeverShown() {
        assertThatThrownBy(() -> SecretCipher.fromBase64Key(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("256 bits");
        assertThatThrownBy(() -> SecretCipher.fromBase64Key("not base64!")).hasMessageContaining("base64")
                .hasMessageNotContaining("not base64!");
        assertThat(cipher.toString()).doesNotContain(key);
        assertThat(SecretCipher.isEncrypted(cipher.encrypt("x"))).isTrue();
        assertThat(SecretCipher.isEncrypted("AccountKey=x")).isFalse();
    }
}
