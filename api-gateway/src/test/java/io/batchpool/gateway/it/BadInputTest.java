package io.batchpool.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.agroal.api.AgroalDataSource;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.pool.PoolDeleted;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.gateway.consumer.PoolViewWriter;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static io.batchpool.gateway.it.GatewayTestSupport.outboxSequence;
import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Everything a client can get wrong: each case must answer the expected status with the JSON error body and an
 * actionable code, and none may change anything (no outbox row written, no pool or quota usage changed).
 */
@QuarkusTest
class BadInputTest {
    private static final String UNKNOWN = "0123456789abcdef0123456789abcdef";
    private static final String SERVICE = "8dfc151b0d3e446497b845f3b29ef53b";

    @Inject
    AgroalDataSource db;
    @Inject
    PoolViewWriter views;

    Account a;       // maxPools 2, maxVmsPerPool 5: one active, one deleting, one deleted pool
    Account full;    // maxPools 1 and one active pool
    String active;
    String deleting;
    String deleted;
    String othersPool;

    /** Who calls: the right key, none, a wrong one, or another account's. */
    enum Key { A, NONE, WRONG, FULL }

    record Case(String name, String method, String path, Key key, String contentType, String body, int status,
                String code) {
    }

    @BeforeEach
    void fixture() {
        a = newAccount(2, 5);
        full = newAccount(1, 5);
        active = newPool(a, 2);
        deleting = newPool(a, 1);
        a.as().delete(a.pools() + "/" + deleting).then().statusCode(202);
        deleted = newPool(a, 1);
        a.as().delete(a.pools() + "/" + deleted).then().statusCode(202);
        views.apply(List.of(Envelope.<PoolEvent>of(new PoolDeleted(deleted), 99, Instant.now())));
        othersPool = newPool(full, 3);
    }

    List<Case> cases() {
        String pools = a.pools();
        String create = "POST";
        String json = "application/json";
        String okPlan = "\"billingPlanId\":\"p\"";
        List<Case> c = new ArrayList<>();
        // bodies that are not what they should be
        c.add(new Case("malformed JSON", create, pools, Key.A, json, "{\"vmCount\": 2,", 400, "MalformedJson"));
        c.add(new Case("not JSON", create, pools, Key.A, json, "vmCount=2", 400, "MalformedJson"));
        c.add(new Case("trailing garbage", create, pools, Key.A, json, "{\"vmCount\":1," + okPlan + "} x", 400, null));
        c.add(new Case("missing body", create, pools, Key.A, json, null, 400, "InvalidRequest"));
        c.add(new Case("empty body", create, pools, Key.A, json, "", 400, "InvalidRequest"));
        c.add(new Case("JSON null", create, pools, Key.A, json, "null", 400, "InvalidRequest"));
        c.add(new Case("JSON array", create, pools, Key.A, json, "[1,2]", 400, "InvalidRequest"));
        c.add(new Case("JSON string", create, pools, Key.A, json, "\"two\"", 400, "InvalidRequest"));
        c.add(new Case("wrong type", create, pools, Key.A, json, "{\"vmCount\":\"two\"," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("number as string", create, pools, Key.A, json, "{\"vmCount\":\"2\"," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("boolean count", create, pools, Key.A, json, "{\"vmCount\":true," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("fraction", create, pools, Key.A, json, "{\"vmCount\":2.5," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("negative", create, pools, Key.A, json, "{\"vmCount\":-1," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("huge 1e12", create, pools, Key.A, json, "{\"vmCount\":1e12," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("huge 2^31", create, pools, Key.A, json, "{\"vmCount\":2147483648," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("huge 10^30", create, pools, Key.A, json, "{\"vmCount\":1000000000000000000000000000000," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("above ceiling", create, pools, Key.A, json, "{\"vmCount\":10001," + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("missing vmCount", create, pools, Key.A, json, "{" + okPlan + "}", 400, "InvalidRequest"));
        c.add(new Case("no plan", create, pools, Key.A, json, "{\"vmCount\":1}", 400, "InvalidRequest"));
        c.add(new Case("plan and url", create, pools, Key.A, json, "{\"vmCount\":1," + okPlan + ",\"serviceUrl\":\"" + serviceUrl() + "\"}", 400, "InvalidRequest"));
        c.add(new Case("bad plan", create, pools, Key.A, json, "{\"vmCount\":1,\"billingPlanId\":\"a b\"}", 400, "InvalidRequest"));
        c.add(new Case("plan wrong type", create, pools, Key.A, json, "{\"vmCount\":1,\"billingPlanId\":7}", 400, "InvalidRequest"));
        c.add(new Case("slots 0", create, pools, Key.A, json, "{\"vmCount\":1," + okPlan + ",\"slotsPerVm\":0}", 400, "InvalidRequest"));
        c.add(new Case("slots 65", create, pools, Key.A, json, "{\"vmCount\":1," + okPlan + ",\"slotsPerVm\":65}", 400, "InvalidRequest"));
        c.add(new Case("name too long", create, pools, Key.A, json, "{\"vmCount\":1," + okPlan + ",\"name\":\"" + "n".repeat(129) + "\"}", 400, "InvalidRequest"));
        c.add(new Case("name with NUL", create, pools, Key.A, json, "{\"vmCount\":1," + okPlan + ",\"name\":\"a\\u0000b\"}", 400, "InvalidRequest"));
        c.add(new Case("bad service url", create, pools, Key.A, json, "{\"vmCount\":1,\"serviceUrl\":\"ftp://x/y\"}", 400, "InvalidServiceUrl"));
        c.add(new Case("unknown web service", create, pools, Key.A, json, "{\"vmCount\":1,\"serviceUrl\":\"" + serviceUrl() + "\"}", 404, "WebServiceNotFound"));
        c.add(new Case("body over 1 MiB", create, pools, Key.A, json, "{\"name\":\"" + "n".repeat(1_100_000) + "\"}", 413, "RequestTooLarge"));
        c.add(new Case("text/plain", create, pools, Key.A, "text/plain", "{\"vmCount\":1," + okPlan + "}", 415, "UnsupportedMediaType"));
        // quotas
        c.add(new Case("over maxVmsPerPool", create, pools, Key.A, json, "{\"vmCount\":6," + okPlan + "}", 403, "QuotaExceeded"));
        c.add(new Case("over maxPools", create, full.pools(), Key.FULL, json, "{\"vmCount\":1," + okPlan + "}", 403, "QuotaExceeded"));
        c.add(new Case("resize over quota", create, pools + "/" + active + "/resize", Key.A, json, "{\"vmCount\":6}", 403, "QuotaExceeded"));
        // keys
        c.add(new Case("no key", create, pools, Key.NONE, json, "{\"vmCount\":1," + okPlan + "}", 401, "Unauthorized"));
        c.add(new Case("wrong key", create, pools, Key.WRONG, json, "{\"vmCount\":1," + okPlan + "}", 401, "Unauthorized"));
        c.add(new Case("other account's key", create, pools, Key.FULL, json, "{\"vmCount\":1," + okPlan + "}", 401, "Unauthorized"));
        c.add(new Case("wrong key, bad body", create, pools, Key.WRONG, json, "{oops", 401, "Unauthorized"));
        c.add(new Case("no key, get", "GET", pools + "/" + active, Key.NONE, null, null, 401, "Unauthorized"));
        c.add(new Case("other key on resize", create, pools + "/" + active + "/resize", Key.FULL, json, "{\"vmCount\":1}", 401, "Unauthorized"));
        // pools that are not there for this account
        c.add(new Case("unknown pool", "GET", pools + "/" + UNKNOWN, Key.A, null, null, 404, "PoolNotFound"));
        c.add(new Case("not an id", "GET", pools + "/..%2F..", Key.A, null, null, 404, null));
        c.add(new Case("malformed pool id", "GET", pools + "/XYZ", Key.A, null, null, 404, "PoolNotFound"));
        c.add(new Case("other account's pool", "GET", pools + "/" + othersPool, Key.A, null, null, 404, "PoolNotFound"));
        c.add(new Case("deleted pool", "GET", pools + "/" + deleted, Key.A, null, null, 404, "PoolNotFound"));
        c.add(new Case("resize other's pool", create, pools + "/" + othersPool + "/resize", Key.A, json, "{\"vmCount\":1}", 404, "PoolNotFound"));
        c.add(new Case("resize deleted", create, pools + "/" + deleted + "/resize", Key.A, json, "{\"vmCount\":1}", 404, "PoolNotFound"));
        c.add(new Case("resize deleting", create, pools + "/" + deleting + "/resize", Key.A, json, "{\"vmCount\":1}", 409, "PoolDeleting"));
        c.add(new Case("patch deleting", "PATCH", pools + "/" + deleting, Key.A, json, "{\"vmCount\":1}", 409, "PoolDeleting"));
        c.add(new Case("delete other's pool", "DELETE", pools + "/" + othersPool, Key.A, null, null, 404, "PoolNotFound"));
        c.add(new Case("delete deleted", "DELETE", pools + "/" + deleted, Key.A, null, null, 404, "PoolNotFound"));
        c.add(new Case("delete unknown", "DELETE", pools + "/" + UNKNOWN, Key.A, null, null, 404, "PoolNotFound"));
        // resize bodies
        c.add(new Case("resize wrong type", create, pools + "/" + active + "/resize", Key.A, json, "{\"vmCount\":\"two\"}", 400, "InvalidRequest"));
        c.add(new Case("resize negative", "PATCH", pools + "/" + active, Key.A, json, "{\"vmCount\":-3}", 400, "InvalidRequest"));
        c.add(new Case("resize huge", create, pools + "/" + active + "/resize", Key.A, json, "{\"vmCount\":2147483648}", 400, "InvalidRequest"));
        c.add(new Case("resize no count", create, pools + "/" + active + "/resize", Key.A, json, "{}", 400, "InvalidRequest"));
        c.add(new Case("resize no body", create, pools + "/" + active + "/resize", Key.A, json, null, 400, "InvalidRequest"));
        c.add(new Case("force=maybe", "DELETE", pools + "/" + active + "?force=maybe", Key.A, null, null, 400, "InvalidRequest"));
        // routes and methods
        c.add(new Case("unknown path", "GET", "/nothing/here", Key.A, null, null, 404, "NotFound"));
        c.add(new Case("unknown sub-path", "GET", pools + "/" + active + "/nodes", Key.A, null, null, 404, "NotFound"));
        c.add(new Case("method not allowed", "PUT", pools, Key.A, json, "{}", 405, "MethodNotAllowed"));
        c.add(new Case("delete collection", "DELETE", pools, Key.A, null, null, 405, "MethodNotAllowed"));
        return c;
    }

    @Test
    void everyRejectionIsJsonWithACodeAndChangesNothing() {
        long outbox = outboxSequence(db);
        String before = state();

        List<Case> cases = cases();
        assertSoftly(soft -> {
            for (Case c : cases) {
                Response r = send(c);
                soft.assertThat(r.statusCode()).as(c.name() + ": " + r.asString()).isEqualTo(c.status());
                soft.assertThat(r.contentType()).as(c.name() + " content type").startsWith("application/json");
                JsonNode body = parse(r.asString());
                String code = body.path("error").path("code").asText(null);
                String message = body.path("error").path("message").asText(null);
                if (c.code() != null) {
                    soft.assertThat(code).as(c.name() + " code in " + r.asString()).isEqualTo(c.code());
                } else {
                    soft.assertThat(code).as(c.name() + " code in " + r.asString()).isNotBlank();
                }
                soft.assertThat(message).as(c.name() + " message").isNotBlank();
            }
        });

        assertThat(outboxSequence(db)).as("no outbox row was written").isEqualTo(outbox);
        assertThat(state()).as("pools and versions unchanged").isEqualTo(before);
    }

    private static JsonNode parse(String body) {
        try {
            return new ObjectMapper().readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (Exception e) {
            return MissingNode.getInstance();
        }
    }

    private Response send(Case c) {
        RequestSpecification spec = given();
        switch (c.key()) {
            case A -> spec.header("Authorization", "Bearer " + a.key());
            case FULL -> spec.header("Authorization", "Bearer " + full.key());
            case WRONG -> spec.header("Authorization", "Bearer not-" + a.key());
            case NONE -> {
            }
        }
        if (c.contentType() != null) {
            spec.contentType(c.contentType());
        }
        if (c.body() != null) {
            spec.body(c.body());
        }
        return spec.request(c.method(), c.path());
    }

    /** Everything a request could change for the two accounts: pool rows with their versions, plus usage. */
    private String state() {
        StringBuilder s = new StringBuilder();
        for (Account acc : List.of(a, full)) {
            s.append(acc.id()).append(": pools=")
                    .append(queryLong(db, "select count(*) from pool where account_id = '" + acc.id() + "'"))
                    .append(" versions=")
                    .append(queryLong(db, "select coalesce(sum(version * 1000 + target_vms), 0) from pool where account_id = '" + acc.id() + "'"))
                    .append(" active=")
                    .append(queryLong(db, "select count(*) from pool where state = 'ACTIVE' and account_id = '" + acc.id() + "'"))
                    .append(' ');
        }
        Map<String, Object> usage = GatewayTestSupport.operator().get("/operator/accounts/" + a.id()).path("usage");
        return s.append(usage).toString();
    }

    private String serviceUrl() {
        return "http://127.0.0.1:8080/subscriptions/" + a.id() + "/services/" + SERVICE + "/swagger.json";
    }
}
