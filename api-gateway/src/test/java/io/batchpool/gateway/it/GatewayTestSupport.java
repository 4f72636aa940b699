package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared by the gateway's {@code @QuarkusTest}s: the real broker, its own PostgreSQL database, and helpers that go
 * through the public API like a client would.
 */
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "batchpool_test_api_gateway"))
public final class GatewayTestSupport {
    public static final String OPERATOR_KEY = "operator-dev-key";

    private GatewayTestSupport() {
    }

    public record Account(String id, String key) {
        public String pools() {
            return "/subscriptions/" + id + "/pools";
        }

        public RequestSpecification as() {
            return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
        }
    }

    public static RequestSpecification operator() {
        return given().header("Authorization", "Bearer " + OPERATOR_KEY).contentType(ContentType.JSON);
    }

    public static Account newAccount(int maxPools, int maxVmsPerPool) {
        Response r = operator().body(Map.of("name", "acct", "maxPools", maxPools, "maxVmsPerPool", maxVmsPerPool))
                .post("/operator/accounts");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
        return new Account(r.path("accountId"), r.path("authorizationKey"));
    }

    /** Creates a pool through the API and returns its id. */
    public static String newPool(Account account, int vmCount) {
        Response r = account.as().body(Map.of("vmCount", vmCount, "billingPlanId", "plan-test"))
                .post(account.pools());
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
        return r.path("poolId");
    }

    /**
     * The last value handed out by the outbox id sequence: rows are deleted once relayed, but a request that wrote
     * an outbox row (even one rolled back later) has advanced this.
     */
    public static long outboxSequence(AgroalDataSource ds) {
        return queryLong(ds, "select case when is_called then last_value else 0 end from outbox_id_seq");
    }

    public static long queryLong(AgroalDataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void execute(AgroalDataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
