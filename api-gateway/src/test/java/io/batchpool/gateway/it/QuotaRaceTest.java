package io.batchpool.gateway.it;

import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Parallel creates of one account are serialised by the account row lock: the quota is never overrun. */
@QuarkusTest
class QuotaRaceTest {

    @Test
    void twoParallelCreatesWithRoomForOneGiveOne201AndOne403() throws Exception {
        for (int round = 0; round < 5; round++) {
            Account a = newAccount(1, 3);
            List<Integer> statuses = race(a, 2);
            assertThat(statuses).as("round " + round).containsExactly(201, 403);
            operator().get("/operator/accounts/" + a.id()).then().body("usage.pools", equalTo(1));
        }
    }

    @Test
    void manyParallelCreatesNeverExceedMaxPools() throws Exception {
        Account a = newAccount(3, 3);
        List<Integer> statuses = race(a, 8);
        assertThat(statuses).containsExactly(201, 201, 201, 403, 403, 403, 403, 403);
        assertThat(a.as().get(a.pools()).then().extract().jsonPath().getList("poolId")).hasSize(3);
    }

    private static List<Integer> race(Account a, int parallel) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                Callable<Integer> create = () -> {
                    start.await();
                    return a.as().body(Map.of("vmCount", 2, "billingPlanId", "race")).post(a.pools()).statusCode();
                };
                results.add(pool.submit(create));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get());
            }
            Collections.sort(statuses);
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
