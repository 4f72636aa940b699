package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With no broker to relay to, the gateway still answers at once: submits are admitted (durably, in the outbox)
 * until the oldest unrelayed row is older than the backlog limit, then refused with 503 and Retry-After, never
 * left hanging.
 */
@QuarkusTest
@TestProfile(BrokerDownTest.NoBroker.class)
class BrokerDownTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:1", "batchpool.relay.max-backlog-age", "1s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresResource.class,
                    Map.of("database", "batchpool_test_api_gateway_no_broker")));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @Inject
    AgroalDataSource db;

    @Test
    void submitsAreRefusedWith503OnceTheBacklogIsTooOld() {
        JobApiTest.Service s = JobApiTest.newService(List.of());
        // registering the service already wrote an outbox row (its model) that cannot be relayed: submits are
        // admitted until that row is older than the limit, then refused
        int[] accepted = {0};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            long start = System.nanoTime();
            Response r = s.as().body(JobApiTest.request(null)).post(s.jobs());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered at once").isLessThan(Duration.ofSeconds(5));
            if (r.statusCode() == 200) {
                accepted[0]++; // still within the backlog limit
                return false;
            }
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isEqualTo("5");
            assertThat(r.<String>path("error.code")).isEqualTo("ServiceUnavailable");
            return true;
        });
        s.as().body(JobApiTest.request(null)).post(s.jobs()).then().statusCode(503);
        Account a = s.account();
        assertThat(queryLong(db, "select count(*) from job where account_id = '" + a.id() + "'"))
                .as("accepted submits are kept; refused ones wrote nothing").isEqualTo(accepted[0]);
        assertThat(queryLong(db, "select count(*) from outbox where topic = 'batchpool.job-commands.v1'"))
                .as("the accepted SubmitJobs wait in the outbox").isEqualTo(accepted[0]);
    }
}
