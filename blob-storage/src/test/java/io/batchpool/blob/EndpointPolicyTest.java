package io.batchpool.blob;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EndpointPolicyTest {
    private final EndpointPolicy policy = EndpointPolicy.fromConfig(".blob.core.windows.net", "127.0.0.1:10000, http://[::1]:10002", "");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "https://myaccount.blob.core.windows.net, true",
            "https://myaccount.blob.core.windows.net/, true",
            "https://MyAccount.BLOB.core.windows.net/container, true",
            "http://myaccount.blob.core.windows.net, true",
            "https://myaccount.blob.core.windows.net:443, true",
            "http://127.0.0.1:10000/devstoreaccount1, true",
            "https://127.0.0.1:10000/devstoreaccount1, true",
            "http://[::1]:10002/devstoreaccount1, true",
            // other hosts, look-alikes
            "http://127.0.0.1.evil.com:10000/devstoreaccount1, false",
            "https://myaccount.blob.core.windows.net.evil.com, false",
            "https://myaccount.blob.core.windows.net./, false",
            "https://evilblob.core.windows.net, false",
            "https://.blob.core.windows.net, false",
            "https://a.b.blob.core.windows.net, false",
            "https://x.blob.core.windows.net, false",
            "http://169.254.169.254/latest/meta-data, false",
            "http://localhost:10000/devstoreaccount1, false",
            "http://127.0.0.2:10000/devstoreaccount1, false",
            // other ports, schemes, user info, queries
            "http://127.0.0.1:10001/devstoreaccount1, false",
            "http://127.0.0.1/devstoreaccount1, false",
            "https://myaccount.blob.core.windows.net:8443, false",
            "https://[::1]:10002/devstoreaccount1, false",
            "ftp://myaccount.blob.core.windows.net, false",
            "file:///etc/passwd, false",
            "https://user:pw@myaccount.blob.core.windows.net, false",
            "http://myaccount.blob.core.windows.net@127.0.0.1:10000/x, false",
            "http://evil.com#@myaccount.blob.core.windows.net, false",
            "https://myaccount.blob.core.windows.net/?x=1, false",
            "/relative/path, false",
    })
    void allowList(String url, boolean allowed) {
        assertThat(policy.allows(URI.create(url))).as(url).isEqualTo(allowed);
    }

    @Test
    void emulatorsArePathStyleAndAzureHostsHostStyle() {
        assertThat(policy.isPathStyle(URI.create("http://127.0.0.1:10000/devstoreaccount1"))).isTrue();
        assertThat(policy.isPathStyle(URI.create("https://acct.blob.core.windows.net"))).isFalse();
        assertThatThrownBy(() -> policy.isPathStyle(URI.create("http://evil.com"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void azurePublicAllowsNoEmulatorAndRejectionsSayWhy() {
        EndpointPolicy azure = EndpointPolicy.azurePublic();
        assertThat(azure.allows(URI.create("https://acct.blob.core.windows.net"))).isTrue();
        assertThat(azure.allows(EndpointPolicy.DEFAULT_DEVELOPMENT_STORAGE)).isFalse();
        assertThat(azure.rejection(URI.create("http://10.0.0.1/x"))).contains("10.0.0.1").contains("<account>.blob.core.windows.net");
        assertThat(azure.rejection(URI.create("gopher://acct.blob.core.windows.net"))).contains("gopher");
    }

    @Test
    void badConfigurationIsRefused() {
        assertThatThrownBy(() -> EndpointPolicy.builder().allowHostSuffix("windows.net")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EndpointPolicy.builder().allowHostSuffix(".net")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EndpointPolicy.builder().allowEmulator("127.0.0.1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EndpointPolicy.builder().allowEmulator("ftp://127.0.0.1:21")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EndpointPolicy.builder().allowEmulator("127.0.0.1:10000/devstoreaccount1")).isInstanceOf(IllegalArgumentException.class);
    }
}
