package io.batchpool.blob;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class BlobReferenceParseTest {
    /** base64 of "secret-key-do-not-leak": must never show in a message or toString. */
    static final String KEY = "c2VjcmV0LWtleS1kby1ub3QtbGVhaw==";
    static final String SIG = "SECRETSIGdonotleak";
    static final String SAS = "?sv=2025-01-05&sr=c&sp=rw&se=2030-01-01T00%3A00%3A00Z&sig=" + SIG;
    static final String AZURE_CS = "DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=" + KEY
            + ";EndpointSuffix=core.windows.net";

    static final EndpointPolicy POLICY = EndpointPolicy.builder()
            .allowHostSuffix(EndpointPolicy.AZURE_PUBLIC_SUFFIX)
            .allowEmulator("127.0.0.1:10000")
            .build();

    static Stream<Arguments> good() {
        return Stream.of(
                // connection string, relative (with and without leading slash), expected endpoint, container, blob, credential kind
                Arguments.of(AZURE_CS, null, "/testint/data.csv", null, "https://myaccount.blob.core.windows.net", "testint", "data.csv", "key"),
                Arguments.of(AZURE_CS, null, "testint/dir/sub/data.csv", null, "https://myaccount.blob.core.windows.net", "testint", "dir/sub/data.csv", "key"),
                Arguments.of("AccountName=myaccount;AccountKey=" + KEY, null, "c01/x y.csv", null, "https://myaccount.blob.core.windows.net", "c01", "x y.csv", "key"),
                Arguments.of("defaultendpointsprotocol=http;accountname=myaccount;accountkey=" + KEY + ";", null, "c01/a.csv", null, "http://myaccount.blob.core.windows.net", "c01", "a.csv", "key"),
                Arguments.of("DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=" + KEY
                        + ";BlobEndpoint=https://myaccount.blob.core.windows.net/;QueueEndpoint=https://myaccount.queue.core.windows.net/", null, "c01/a.csv", null,
                        "https://myaccount.blob.core.windows.net", "c01", "a.csv", "key"),
                Arguments.of("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + KEY
                        + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;", null, "/c01/a.csv", null,
                        "http://127.0.0.1:10000/devstoreaccount1", "c01", "a.csv", "key"),
                Arguments.of("UseDevelopmentStorage=true", null, "/c01/in.csv", null, "http://127.0.0.1:10000/devstoreaccount1", "c01", "in.csv", "key"),
                Arguments.of("BlobEndpoint=https://myaccount.blob.core.windows.net;SharedAccessSignature=" + SAS.substring(1), null, "c01/a.csv", null,
                        "https://myaccount.blob.core.windows.net", "c01", "a.csv", "sas"),
                // SAS: base + relative + token
                Arguments.of(null, "https://myaccount.blob.core.windows.net/", "out/result.csv", SAS, "https://myaccount.blob.core.windows.net", "out", "result.csv", "sas"),
                Arguments.of(null, "https://myaccount.blob.core.windows.net", "/out/result.csv", SAS, "https://myaccount.blob.core.windows.net", "out", "result.csv", "sas"),
                Arguments.of(null, "https://myaccount.blob.core.windows.net/out/", "dir/result%20one.csv", SAS.substring(1), "https://myaccount.blob.core.windows.net", "out", "dir/result one.csv", "sas"),
                Arguments.of(null, "http://127.0.0.1:10000/devstoreaccount1/", "out/result.csv", SAS, "http://127.0.0.1:10000/devstoreaccount1", "out", "result.csv", "sas"));
    }

    @ParameterizedTest
    @MethodSource("good")
    void parsesGoodReferences(String cs, String base, String rel, String sas, String endpoint, String container, String blob, String kind) {
        BlobReference ref = BlobReference.parse(cs, base, rel, sas, POLICY);
        assertThat(ref.serviceEndpoint()).isEqualTo(URI.create(endpoint));
        assertThat(ref.container()).isEqualTo(container);
        assertThat(ref.blobName()).isEqualTo(blob);
        assertThat(ref.credential()).isInstanceOf(kind.equals("key") ? BlobCredential.SharedKey.class : BlobCredential.Sas.class);
        if (ref.credential() instanceof BlobCredential.Sas s) {
            assertThat(s.token()).startsWith("?").endsWith(SIG);
        }
        assertThat(ref.toString()).doesNotContain(KEY).doesNotContain(SIG);
        assertThat(ref.fields().toString()).doesNotContain(KEY).doesNotContain(SIG);
    }

    static Stream<Arguments> bad() {
        String emu = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + KEY + ";BlobEndpoint=";
        String inv = InvalidBlobReferenceException.INVALID;
        String deny = InvalidBlobReferenceException.ENDPOINT_NOT_ALLOWED;
        return Stream.of(
                // cs, base, rel, sas, field, code, message fragment
                Arguments.of(null, null, "c01/a.csv", null, "ConnectionString", inv, "needs ConnectionString, or BaseLocation"),
                Arguments.of(AZURE_CS, null, null, null, "RelativeLocation", inv, "is required"),
                Arguments.of(AZURE_CS, null, "  ", null, "RelativeLocation", inv, "is required"),
                Arguments.of(AZURE_CS, null, "justablob.csv", null, "RelativeLocation", inv, "'container/blob'"),
                Arguments.of(AZURE_CS, null, "/c01/", null, "RelativeLocation", inv, "'container/blob'"),
                Arguments.of(AZURE_CS, null, "/Big_Container/a.csv", null, "RelativeLocation", inv, "container name 'Big_Container' is invalid"),
                Arguments.of(AZURE_CS, null, "c01/dir/", null, "RelativeLocation", inv, "not a folder"),
                Arguments.of(AZURE_CS, null, "c01/../secret.csv", null, "RelativeLocation", inv, "'..'"),
                Arguments.of(AZURE_CS, null, "c01/a//b.csv", null, "RelativeLocation", inv, "empty"),
                Arguments.of("garbage", null, "c01/a.csv", null, "ConnectionString", inv, "Key=Value"),
                Arguments.of("AccountName=myaccount", null, "c01/a.csv", null, "ConnectionString", inv, "AccountKey is missing"),
                Arguments.of("AccountKey=" + KEY, null, "c01/a.csv", null, "ConnectionString", inv, "AccountName is missing"),
                Arguments.of("AccountName=myaccount;AccountKey=!!notbase64!!", null, "c01/a.csv", null, "ConnectionString", inv, "AccountKey is not valid base64"),
                Arguments.of("AccountName=My_Account;AccountKey=" + KEY, null, "c01/a.csv", null, "ConnectionString", inv, "AccountName must be"),
                Arguments.of(AZURE_CS + ";Colour=blue", null, "c01/a.csv", null, "ConnectionString", inv, "unknown key 'colour'"),
                Arguments.of(AZURE_CS + ";AccountName=other", null, "c01/a.csv", null, "ConnectionString", inv, "more than once"),
                Arguments.of("DefaultEndpointsProtocol=ftp;AccountName=myaccount;AccountKey=" + KEY, null, "c01/a.csv", null, "ConnectionString", inv, "https or http"),
                Arguments.of("AccountName=myaccount;AccountKey=" + KEY + ";EndpointSuffix=evil.com", null, "c01/a.csv", null, "ConnectionString", deny, "myaccount.blob.evil.com"),
                Arguments.of("AccountName=myaccount;AccountKey=" + KEY + ";EndpointSuffix=core.windows.net.evil.com", null, "c01/a.csv", null, "ConnectionString", deny, "not an allowed"),
                Arguments.of(emu + "http://127.0.0.1.evil.com:10000/devstoreaccount1", null, "c01/a.csv", null, "ConnectionString", deny, "127.0.0.1.evil.com"),
                Arguments.of(emu + "http://127.0.0.1:10001/devstoreaccount1", null, "c01/a.csv", null, "ConnectionString", deny, "not an allowed"),
                Arguments.of(emu + "http://169.254.169.254/devstoreaccount1", null, "c01/a.csv", null, "ConnectionString", deny, "169.254.169.254"),
                Arguments.of(emu + "http://user@127.0.0.1:10000/devstoreaccount1", null, "c01/a.csv", null, "ConnectionString", deny, "user info"),
                Arguments.of(emu + "file:///etc/passwd", null, "c01/a.csv", null, "ConnectionString", deny, "scheme 'file'"),
                Arguments.of(emu + "http://127.0.0.1:10000/", null, "c01/a.csv", null, "ConnectionString", inv, "http://host:port/<account>"),
                Arguments.of(emu + "not a url", null, "c01/a.csv", null, "ConnectionString", inv, "BlobEndpoint is not a valid absolute URL"),
                Arguments.of("AccountName=myaccount;AccountKey=" + KEY + ";BlobEndpoint=https://myaccount.blob.core.windows.net:8443", null, "c01/a.csv", null, "ConnectionString", deny, "port 8443"),
                Arguments.of("AccountName=other;AccountKey=" + KEY + ";BlobEndpoint=https://myaccount.blob.core.windows.net", null, "c01/a.csv", null, "ConnectionString", inv, "does not match"),
                Arguments.of("UseDevelopmentStorage=false", null, "c01/a.csv", null, "ConnectionString", inv, "can only be true"),
                Arguments.of(AZURE_CS, "https://myaccount.blob.core.windows.net/", "c01/a.csv", SAS, "ConnectionString", inv, "not both"),
                Arguments.of(null, "https://myaccount.blob.core.windows.net/", "c01/a.csv", null, "SasBlobToken", inv, "is required"),
                Arguments.of(null, null, "c01/a.csv", SAS, "BaseLocation", inv, "is required"),
                Arguments.of(null, "https://myaccount.blob.core.windows.net/", "c01/a.csv", "?sv=2025-01-05&sp=r", "SasBlobToken", inv, "no signature"),
                Arguments.of(null, "https://myaccount.blob.core.windows.net/", "c01/a.csv", SAS + " x", "SasBlobToken", inv, "URL query string"),
                Arguments.of(null, "not a url", "c01/a.csv", SAS, "BaseLocation", inv, "not a valid absolute URL"),
                Arguments.of(null, "https://evil.example.com/", "c01/a.csv", SAS, "BaseLocation", deny, "evil.example.com"),
                Arguments.of(null, "http://127.0.0.1:10000/devstoreaccount1/?x=" + SIG, "c01/a.csv", SAS, "BaseLocation", deny, "query"),
                Arguments.of(null, "http://localhost:10000/devstoreaccount1/", "c01/a.csv", SAS, "BaseLocation", deny, "localhost"),
                Arguments.of(null, "https://myaccount.blob.core.windows.net/", "c01/a.csv?sig=x", SAS, "RelativeLocation", inv, "'?'"),
                Arguments.of(null, "https://myaccount.blob.core.windows.net/", "a.csv", SAS, "RelativeLocation", inv, "'container/blob'"),
                Arguments.of(null, "http://127.0.0.1:10000/", "c01/a.csv", SAS, "RelativeLocation", inv, "'container/blob'"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsBadReferencesNamingFieldWithoutEchoingSecrets(String cs, String base, String rel, String sas,
                                                               String field, String code, String fragment) {
        InvalidBlobReferenceException e = catchThrowableOfType(InvalidBlobReferenceException.class,
                () -> BlobReference.parse(cs, base, rel, sas, POLICY));
        assertThat(e).as("should be rejected").isNotNull();
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).startsWith(field + ": ").contains(fragment)
                .doesNotContain(KEY).doesNotContain(SIG).doesNotContain("!!notbase64!!");
    }

    @Test
    void developmentStorageNeedsAnAllowedDevelopmentEndpoint() {
        assertThatThrownBy(() -> BlobReference.parse("UseDevelopmentStorage=true", null, "c01/a.csv", null, EndpointPolicy.azurePublic()))
                .isInstanceOf(InvalidBlobReferenceException.class)
                .hasMessageContaining("not enabled");
        EndpointPolicy other = EndpointPolicy.builder().allowEmulator("127.0.0.1:10100")
                .developmentStorage(URI.create("http://127.0.0.1:10100/devstoreaccount1")).build();
        BlobReference ref = BlobReference.parse("UseDevelopmentStorage=true", null, "c01/a.csv", null, other);
        assertThat(ref.serviceEndpoint()).isEqualTo(URI.create("http://127.0.0.1:10100/devstoreaccount1"));
        assertThat(ref.credential()).isEqualTo(new BlobCredential.SharedKey("devstoreaccount1", BlobReference.DEVELOPMENT_KEY));
    }

    @Test
    void outputsNeedASasThatMayWriteAndNothingMore() {
        String base = "https://myaccount.blob.core.windows.net/";
        assertThat(BlobReference.parse(null, base, "c01/a.csv", SAS, POLICY).requireUsableAsOutput()).isNotNull();
        assertThat(BlobReference.parse(AZURE_CS, null, "c01/a.csv", null, POLICY).requireUsableAsOutput()).isNotNull();
        for (String enough : new String[] {"?sv=1&sr=c&sp=w&sig=", "?sv=1&sr=b&sp=w&sig=", "?sv=1&sr=c&sp=racwl&sig=",
                "?sv=1&ss=b&srt=o&sp=w&sig="}) {
            assertThat(BlobReference.parse(null, base, "c01/a.csv", enough + SIG, POLICY).requireUsableAsOutput())
                    .as(enough).isNotNull();
        }
        assertThatThrownBy(() -> BlobReference.parse(null, base, "c01/a.csv", "?sv=1&sr=bs&sp=w&sig=" + SIG, POLICY).requireUsableAsOutput())
                .isInstanceOf(InvalidBlobReferenceException.class).hasMessageContaining("sr=bs").hasMessageNotContaining(SIG);
        for (String short_ : new String[] {"?sv=1&sr=c&sp=r&sig=", "?sv=1&sr=c&sp=c&sig=", "?sv=1&sr=c&sp=racdl&sig=".replace("w", "")}) {
            assertThatThrownBy(() -> BlobReference.parse(null, base, "c01/a.csv", short_ + SIG, POLICY).requireUsableAsOutput())
                    .as(short_).isInstanceOf(InvalidBlobReferenceException.class).hasMessageContaining("sp with w");
        }
    }

    @Test
    void toStringsHideKeysAndSignatures() {
        BlobReference.Fields f = new BlobReference.Fields(AZURE_CS, null, "c01/a.csv", null);
        assertThat(f.toString()).contains("AccountName=myaccount").contains("AccountKey=***").doesNotContain(KEY);
        BlobReference.Fields s = BlobReference.Fields.ofSas("https://myaccount.blob.core.windows.net/", "c01/a.csv", SAS);
        assertThat(s.toString()).contains("sig=REDACTED").contains("sp=rw").doesNotContain(SIG);
        assertThat(new BlobCredential.SharedKey("myaccount", KEY).toString()).doesNotContain(KEY);
        assertThat(new ResultLocation("https://a.blob.core.windows.net/", "c01/a.csv", SAS).toString()).doesNotContain(SIG);
    }

    @Test
    void fieldsTravelEncryptedAndComeBackIdentical() {
        SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());
        BlobReference.Fields f = new BlobReference.Fields(AZURE_CS, null, "c01/a.csv", null);
        BlobReference.Fields sealed = f.withSecretsEncrypted(cipher);
        assertThat(sealed.connectionString()).startsWith("v1:").doesNotContain(KEY).doesNotContain("myaccount");
        assertThat(sealed.relativeLocation()).isEqualTo("c01/a.csv");
        assertThat(sealed.withSecretsDecrypted(cipher)).isEqualTo(f);
        BlobReference.Fields s = BlobReference.Fields.ofSas("https://myaccount.blob.core.windows.net/", "c01/a.csv", SAS);
        assertThat(s.withSecretsEncrypted(cipher).sasBlobToken()).doesNotContain(SIG);
        assertThat(s.withSecretsEncrypted(cipher).withSecretsDecrypted(cipher)).isEqualTo(s);
    }
}
