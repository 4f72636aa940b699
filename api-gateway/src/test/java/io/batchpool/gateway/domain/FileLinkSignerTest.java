package io.batchpool.gateway.domain;

import io.batchpool.gateway.domain.FileLinkSigner.Verdict;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileLinkSignerTest {
    static final String KEY = "YmF0Y2hwb29sLWRldi1JTlNFQ1VSRS1rZXktMDAwMDA=";
    static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    static final Pattern TOKEN = Pattern.compile("\\?expires=([0-9]+)&sig=([0-9a-f]{64})");
    final FileLinkSigner signer = FileLinkSigner.fromBase64Key(KEY);

    @Test
    void aTokenIsGoodForItsPathUntilItExpires() {
        Instant expires = NOW.plusSeconds(86_400);
        Matcher m = TOKEN.matcher(signer.token("census/scored.csv", expires));
        assertThat(m.matches()).isTrue();
        assertThat(m.group(1)).isEqualTo(String.valueOf(expires.getEpochSecond()));
        String e = m.group(1);
        String sig = m.group(2);

        assertThat(signer.check("census/scored.csv", e, sig, NOW)).isEqualTo(Verdict.VALID);
        assertThat(signer.check("census/scored.csv", e, sig.toUpperCase(), NOW)).isEqualTo(Verdict.VALID);
        assertThat(signer.check("census/scored.csv", e, sig, expires)).as("the last second").isEqualTo(Verdict.VALID);
        assertThat(signer.check("census/scored.csv", e, sig, expires.plusSeconds(1))).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void anyChangeOrAnotherKeyMakesItInvalid() {
        long expires = NOW.plusSeconds(60).getEpochSecond();
        String sig = signer.signature("census/scored.csv", expires);
        String e = String.valueOf(expires);
        char last = sig.charAt(63);
        String flipped = sig.substring(0, 63) + (last == '0' ? '1' : '0');

        assertThat(signer.check("census/other.csv", e, sig, NOW)).as("another path").isEqualTo(Verdict.INVALID);
        assertThat(signer.check("census/scored.csv", String.valueOf(expires + 3600), sig, NOW))
                .as("a later expiry").isEqualTo(Verdict.INVALID);
        assertThat(signer.check("census/scored.csv", e, flipped, NOW)).as("a flipped digit").isEqualTo(Verdict.INVALID);
        assertThat(FileLinkSigner.fromBase64Key("b3RoZXIta2V5LW9mLTMyLWJ5dGVzLTAwMDAwMDAwMDA=")
                .check("census/scored.csv", e, sig, NOW)).as("another key").isEqualTo(Verdict.INVALID);
        // an expired link that was tampered with is invalid, not expired
        assertThat(signer.check("census/other.csv", e, sig, NOW.plusSeconds(3600))).isEqualTo(Verdict.INVALID);
    }

    @Test
    void malformedQueriesAreInvalid() {
        long expires = NOW.plusSeconds(60).getEpochSecond();
        String sig = signer.signature("a.csv", expires);
        String e = String.valueOf(expires);
        assertThat(signer.check("a.csv", null, sig, NOW)).isEqualTo(Verdict.INVALID);
        assertThat(signer.check("a.csv", e, null, NOW)).isEqualTo(Verdict.INVALID);
        assertThat(signer.check(null, e, sig, NOW)).isEqualTo(Verdict.INVALID);
        assertThat(signer.check("a.csv", "-1", sig, NOW)).isEqualTo(Verdict.INVALID);
        assertThat(signer.check("a.csv", "99999999999999999999", sig, NOW)).isEqualTo(Verdict.INVALID);
        assertThat(signer.check("a.csv", e, sig.substring(1), NOW)).isEqualTo(Verdict.INVALID);
        assertThat(signer.check("a.csv", e, "z" + sig.substring(1), NOW)).isEqualTo(Verdict.INVALID);
        assertThat(signer.check("a.csv", e + " ", sig, NOW)).isEqualTo(Verdict.INVALID);
    }

    @Test
    void theSigningKeyIsDerivedNotTheSecretsKeyItself() throws Exception {
        byte[] raw = java.util.Base64.getDecoder().decode(KEY);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(raw, "HmacSHA256"));
        String withRawKey = HexFormat.of().formatHex(mac.doFinal("a.csv\n100".getBytes(StandardCharsets.UTF_8)));
        assertThat(signer.signature("a.csv", 100)).hasSize(64).isNotEqualTo(withRawKey);
        assertThat(signer.toString()).doesNotContain(KEY);
        assertThatThrownBy(() -> FileLinkSigner.fromBase64Key("not base64!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileLinkSigner(new byte[4])).isInstanceOf(IllegalArgumentException.class);
    }
}
