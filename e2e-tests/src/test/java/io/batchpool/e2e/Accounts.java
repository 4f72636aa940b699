package io.batchpool.e2e;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Operator and pool-owner calls through the real gateway. */
public final class Accounts {
    public record Account(String id, String key, String poolsUrl) {
    }

    private Accounts() {
    }

    public static Account create(BatchpoolSystem system, int maxPools, int maxVmsPerPool) {
        Http.Response r = Http.post(system.gateway() + "/operator/accounts", BatchpoolSystem.OPERATOR_KEY,
                Map.of("name", "e2e", "maxPools", maxPools, "maxVmsPerPool", maxVmsPerPool));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        String id = r.text("accountId");
        assertThat(r.text("poolServiceUrl")).endsWith("/subscriptions/" + id);
        return new Account(id, r.text("authorizationKey"), r.text("poolServiceUrl") + "/pools");
    }

    public static String createPool(Account account, int vms, String plan) {
        Http.Response r = Http.post(account.poolsUrl(), account.key(), Map.of("vmCount", vms, "billingPlanId", plan));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("poolId");
    }

    public static Http.Response resize(Account account, String poolId, int vms) {
        return Http.post(account.poolsUrl() + "/" + poolId + "/resize", account.key(), Map.of("vmCount", vms));
    }

    public static Http.Response pool(Account account, String poolId) {
        return Http.get(account.poolsUrl() + "/" + poolId, account.key());
    }
}
