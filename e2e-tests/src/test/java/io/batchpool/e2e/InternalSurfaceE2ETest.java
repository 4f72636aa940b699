package io.batchpool.e2e;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Through the real services: the internal HTTP APIs (pool-manager, job-dispatcher, billing-meter, vm-agent) answer
 * only the operator key (an account's key is a 401 like no key), listen on 127.0.0.1 only, and every service's
 * {@code /q/metrics} needs the operator key and never names an account's ids, whatever clients sent.
 */
class InternalSurfaceE2ETest {

    @Test
    void internalApisAndMetricsNeedTheOperatorKeyAndMetricsNameNoIds() {
        BatchpoolSystem system = BatchpoolSystem.get();
        Accounts.Account account = Accounts.create(system, 2, 2);
        String pool = Accounts.createPool(account, 1, "plan-internal");
        Map<String, String> internal = new LinkedHashMap<>();
        internal.put("pool-manager", "/pools");
        internal.put("job-dispatcher", "/pools/" + pool + "/slots");
        internal.put("billing-meter", "/usage/pools/" + pool);
        internal.put("vm-agent", "/vms");
        SoftAssertions soft = new SoftAssertions();
        internal.forEach((name, path) -> {
            String url = system.service(name).url() + path;
            for (String key : new String[]{null, account.key(), "not-the-operator-key"}) {
                Http.Response r = Http.get(url, key);
                soft.assertThat(r.status()).as(name + " " + path + " with key " + abbreviate(key)).isEqualTo(401);
                soft.assertThat(r.body().path("error").path("code").asText()).as(name).isEqualTo("Unauthorized");
            }
            Http.Response ok = Http.get(url, BatchpoolSystem.OPERATOR_KEY);
            soft.assertThat(ok.status()).as(name + " " + path + " with the operator key: " + ok.raw()).isIn(200, 404);
            soft.assertThat(ok.raw()).as(name).doesNotContain("Unauthorized");
            // ids in paths a client chose, on errors the HTTP layer answers itself
            Http.post(system.service(name).url() + path + "/" + account.id(), null, "{}");
            Http.delete(url, BatchpoolSystem.OPERATOR_KEY);
        });
        Http.post(account.poolsUrl() + "/" + pool + "/nodes/" + account.id(), account.key(), "{}");
        Http.delete(account.poolsUrl(), account.key());
        for (String name : new String[]{"api-gateway", "pool-manager", "job-dispatcher", "billing-meter", "vm-agent"}) {
            String metrics = system.service(name).url() + "/q/metrics";
            soft.assertThat(Http.get(metrics, null).status()).as(name + " metrics without key").isEqualTo(401);
            soft.assertThat(Http.get(metrics, account.key()).status()).as(name + " metrics, account key").isEqualTo(401);
            Http.Response m = Http.get(metrics, BatchpoolSystem.OPERATOR_KEY);
            soft.assertThat(m.status()).as(name + " metrics with the operator key").isEqualTo(200);
            soft.assertThat(m.raw()).as(name + " metrics name no account or pool id")
                    .doesNotContain(account.id()).doesNotContain(pool);
            soft.assertThat(Http.get(system.service(name).url() + "/q/health/live", null).status())
                    .as(name + " health is open").isEqualTo(200);
        }
        // bound to the loopback interface only: another address of this machine refuses the connection
        nonLoopbackAddress().ifPresent(address -> internal.keySet().forEach(name -> {
            int port = URI.create(system.service(name).url()).getPort();
            soft.assertThat(connects(address, port)).as(name + " on " + address.getHostAddress() + ":" + port).isFalse();
        }));
        soft.assertAll();
    }

    private static String abbreviate(String key) {
        return key == null ? "none" : key.substring(0, Math.min(6, key.length())) + "...";
    }

    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        return Optional.of(a);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
