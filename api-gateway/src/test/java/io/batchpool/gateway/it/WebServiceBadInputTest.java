package io.batchpool.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.outboxSequence;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Everything a client can get wrong with the web service registry: each case answers the expected status with the
 * JSON error body and code (and message, where it matters), and none changes anything: no service, version, key,
 * pool or outbox row is written.
 */
@QuarkusTest
class WebServiceBadInputTest {
    private static final String UNKNOWN = "0123456789abcdef0123456789abcdef";

    @Inject
    AgroalDataSource db;

    Account a;
    Account other;
    String mine;       // a's "new" service
    String classic;    // a's classic service
    String mineKey;    // mine's primary key
    String othersService;
    String othersKey;  // othersService's primary key
    String deleted;    // a's deleted service

    enum Key { A, NONE, WRONG, OTHER, MINE_SERVICE, OTHERS_SERVICE }

    record Case(String name, String method, String path, Key key, String body, int status, String code, String message) {
    }

    @BeforeEach
    void fixture() {
        a = newAccount(5, 5);
        other = newAccount(5, 5);
        Response r = WebServiceApiTest.register(a, Map.of("name", "mine", "kind", "new", "billingPlanId", "p",
                "model", Models.base64(Models.ADULT_TENSOR)));
        mine = r.path("serviceId");
        mineKey = r.path("primaryKey");
        classic = WebServiceApiTest.register(a, Map.of("name", "classic", "kind", "classic",
                "model", Models.base64(Models.ADULT_TENSOR))).path("serviceId");
        deleted = WebServiceApiTest.register(a, Map.of("name", "gone", "kind", "classic",
                "model", Models.base64(Models.ADULT_TENSOR))).path("serviceId");
        a.as().delete(WebServiceApiTest.services(a) + "/" + deleted).then().statusCode(204);
        Response o = WebServiceApiTest.register(other, Map.of("name", "theirs", "kind", "new", "billingPlanId", "q",
                "model", Models.base64(Models.ADULT_TENSOR)));
        othersService = o.path("serviceId");
        othersKey = o.path("primaryKey");
    }

    private static String body(String name, String kind, String plan, String parameters, String model) {
        List<String> fields = new ArrayList<>();
        if (name != null) {
            fields.add("\"name\":" + name);
        }
        if (kind != null) {
            fields.add("\"kind\":" + kind);
        }
        if (plan != null) {
            fields.add("\"billingPlanId\":" + plan);
        }
        if (parameters != null) {
            fields.add("\"parameters\":" + parameters);
        }
        if (model != null) {
            fields.add("\"model\":" + model);
        }
        return "{" + String.join(",", fields) + "}";
    }

    List<Case> cases() {
        String s = WebServiceApiTest.services(a);
        String good = "\"" + Models.base64(Models.ADULT_TENSOR) + "\"";
        String notOnnx = "\"" + Base64.getEncoder().encodeToString("hello, not a model".getBytes(StandardCharsets.UTF_8)) + "\"";
        String contract = "\"" + Models.base64(Models.threeColumnInput()) + "\"";
        String rawScores = "\"" + Models.base64(Models.RAW_SCORES) + "\"";
        String unnormalized = "\"" + Models.base64(Models.UNNORMALIZED) + "\"";
        String newSvc = "\"new\"";
        String plan = "\"p\"";
        List<Case> c = new ArrayList<>();
        // models
        c.add(new Case("bad base64", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, "\"@@not base64@@\""), 400, "InvalidModel", "base64"));
        c.add(new Case("non-ONNX bytes", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, notOnnx), 400, "InvalidModel", "ONNX"));
        c.add(new Case("model breaks the contract", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, contract), 400, "InvalidModel", "[N,1]"));
        c.add(new Case("raw scores for probabilities", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, rawScores), 400, "InvalidModel", "not a distribution"));
        c.add(new Case("probabilities not summing to 1", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, unnormalized), 400, "InvalidModel", "not a distribution"));
        c.add(new Case("empty model", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, "\"\""), 400, "InvalidModel", "empty"));
        c.add(new Case("missing model", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, null), 400, "InvalidRequest", "model is required"));
        c.add(new Case("model not a string", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, "42"), 400, "InvalidRequest", null));
        // fields
        c.add(new Case("missing name", "POST", s, Key.A, body(null, newSvc, plan, null, good), 400, "InvalidRequest", "name is required"));
        c.add(new Case("classic with plan", "POST", s, Key.A, body("\"n\"", "\"classic\"", plan, null, good), 400, "InvalidRequest", "no billing plan"));
        c.add(new Case("new without plan", "POST", s, Key.A, body("\"n\"", newSvc, null, null, good), 400, "InvalidRequest", "needs a billingPlanId"));
        c.add(new Case("missing kind", "POST", s, Key.A, body("\"n\"", null, plan, null, good), 400, "InvalidRequest", "kind"));
        c.add(new Case("unknown kind", "POST", s, Key.A, body("\"n\"", "\"premium\"", plan, null, good), 400, "InvalidRequest", "kind"));
        c.add(new Case("bad plan id", "POST", s, Key.A, body("\"n\"", newSvc, "\"a b\"", null, good), 400, "InvalidRequest", "billingPlanId"));
        c.add(new Case("duplicate parameter names", "POST", s, Key.A, body("\"n\"", newSvc, plan, "[{\"name\":\"T\"},{\"name\":\"t\",\"default\":\"1\"}]", good), 400, "InvalidRequest", "twice"));
        c.add(new Case("parameter name with slash", "POST", s, Key.A, body("\"n\"", newSvc, plan, "[{\"name\":\"a/b\"}]", good), 400, "InvalidRequest", "parameters[0].name"));
        c.add(new Case("empty parameter name", "POST", s, Key.A, body("\"n\"", newSvc, plan, "[{\"name\":\"\"}]", good), 400, "InvalidRequest", "parameters[0].name"));
        c.add(new Case("parameter without name", "POST", s, Key.A, body("\"n\"", newSvc, plan, "[{\"default\":\"x\"}]", good), 400, "InvalidRequest", "parameters[0].name"));
        c.add(new Case("parameter default a number", "POST", s, Key.A, body("\"n\"", newSvc, plan, "[{\"name\":\"a\",\"default\":5}]", good), 400, "InvalidRequest", null));
        c.add(new Case("parameters not a list", "POST", s, Key.A, body("\"n\"", newSvc, plan, "\"x\"", good), 400, "InvalidRequest", null));
        c.add(new Case("malformed JSON", "POST", s, Key.A, "{\"name\":", 400, "MalformedJson", null));
        c.add(new Case("missing body", "POST", s, Key.A, null, 400, "InvalidRequest", null));
        c.add(new Case("body over the model limit", "POST", s, Key.A, body("\"n\"", newSvc, plan, null, "\"" + "A".repeat(4_200_000) + "\""), 413, "RequestTooLarge", null));
        // keys
        c.add(new Case("no key", "POST", s, Key.NONE, body("\"n\"", newSvc, plan, null, good), 401, "Unauthorized", null));
        c.add(new Case("wrong key", "POST", s, Key.WRONG, body("\"n\"", newSvc, plan, null, good), 401, "Unauthorized", null));
        c.add(new Case("other account's key", "POST", s, Key.OTHER, body("\"n\"", newSvc, plan, null, good), 401, "Unauthorized", null));
        c.add(new Case("service key on the registry", "GET", s, Key.MINE_SERVICE, null, 401, "Unauthorized", null));
        c.add(new Case("wrong key on update", "PUT", s + "/" + mine + "/model", Key.WRONG, "{\"model\":" + good + "}", 401, "Unauthorized", null));
        c.add(new Case("wrong key on rotate", "POST", s + "/" + mine + "/keys/rotate?key=primary", Key.WRONG, null, 401, "Unauthorized", null));
        c.add(new Case("service key on delete", "DELETE", s + "/" + mine, Key.MINE_SERVICE, null, 401, "Unauthorized", null));
        // services that are not there for this account
        String notFound = "no web service ";
        c.add(new Case("another account's service", "GET", s + "/" + othersService, Key.A, null, 404, "WebServiceNotFound", notFound));
        c.add(new Case("unknown service", "GET", s + "/" + UNKNOWN, Key.A, null, 404, "WebServiceNotFound", notFound));
        c.add(new Case("malformed service id", "GET", s + "/XYZ", Key.A, null, 404, "WebServiceNotFound", null));
        c.add(new Case("deleted service", "GET", s + "/" + deleted, Key.A, null, 404, "WebServiceNotFound", notFound));
        c.add(new Case("update another's model", "PUT", s + "/" + othersService + "/model", Key.A, "{\"model\":" + good + "}", 404, "WebServiceNotFound", notFound));
        c.add(new Case("rotate another's key", "POST", s + "/" + othersService + "/keys/rotate?key=primary", Key.A, null, 404, "WebServiceNotFound", notFound));
        c.add(new Case("delete another's service", "DELETE", s + "/" + othersService, Key.A, null, 404, "WebServiceNotFound", notFound));
        c.add(new Case("delete deleted", "DELETE", s + "/" + deleted, Key.A, null, 404, "WebServiceNotFound", notFound));
        // updates and rotations
        c.add(new Case("update with bad model", "PUT", s + "/" + mine + "/model", Key.A, "{\"model\":" + contract + "}", 400, "InvalidModel", "[N,1]"));
        c.add(new Case("update with raw scores", "PUT", s + "/" + mine + "/model", Key.A, "{\"model\":" + rawScores + "}", 400, "InvalidModel", "not a distribution"));
        c.add(new Case("update with probabilities not summing to 1", "PUT", s + "/" + mine + "/model", Key.A, "{\"model\":" + unnormalized + "}", 400, "InvalidModel", "not a distribution"));
        c.add(new Case("update with bad base64", "PUT", s + "/" + mine + "/model", Key.A, "{\"model\":\"%%\"}", 400, "InvalidModel", "base64"));
        c.add(new Case("update without model", "PUT", s + "/" + mine + "/model", Key.A, "{}", 400, "InvalidRequest", null));
        c.add(new Case("rotate which key?", "POST", s + "/" + mine + "/keys/rotate", Key.A, null, 400, "InvalidRequest", "primary or secondary"));
        c.add(new Case("rotate tertiary", "POST", s + "/" + mine + "/keys/rotate?key=tertiary", Key.A, null, 400, "InvalidRequest", "primary or secondary"));
        // swagger.json
        c.add(new Case("swagger without key", "GET", s + "/" + mine + "/swagger.json", Key.NONE, null, 401, "Unauthorized", null));
        c.add(new Case("swagger wrong key", "GET", s + "/" + mine + "/swagger.json", Key.WRONG, null, 401, "Unauthorized", null));
        c.add(new Case("swagger with another service's key", "GET", s + "/" + mine + "/swagger.json", Key.OTHERS_SERVICE, null, 401, "Unauthorized", null));
        c.add(new Case("swagger of another's service", "GET", s + "/" + othersService + "/swagger.json", Key.A, null, 404, "WebServiceNotFound", notFound));
        c.add(new Case("swagger of unknown service", "GET", s + "/" + UNKNOWN + "/swagger.json", Key.A, null, 404, "WebServiceNotFound", notFound));
        c.add(new Case("their service key under my subscription", "GET", s + "/" + othersService + "/swagger.json", Key.OTHERS_SERVICE, null, 401, "Unauthorized", null));
        // Create Pool from a swagger URL
        String pools = a.pools();
        c.add(new Case("pool from classic service", "POST", pools, Key.A, poolFrom(a.id(), classic), 400, "ClassicServiceHasNoPlan", "classic"));
        c.add(new Case("pool from another's service", "POST", pools, Key.A, poolFrom(other.id(), othersService), 404, "WebServiceNotFound", notFound));
        c.add(new Case("pool from another's service, my subscription", "POST", pools, Key.A, poolFrom(a.id(), othersService), 404, "WebServiceNotFound", notFound));
        c.add(new Case("pool from unknown service", "POST", pools, Key.A, poolFrom(a.id(), UNKNOWN), 404, "WebServiceNotFound", notFound));
        c.add(new Case("pool from deleted service", "POST", pools, Key.A, poolFrom(a.id(), deleted), 404, "WebServiceNotFound", notFound));
        return c;
    }

    private static String poolFrom(String subscription, String service) {
        return "{\"vmCount\":1,\"serviceUrl\":\"http://127.0.0.1:8080/subscriptions/" + subscription + "/services/"
                + service + "/swagger.json\"}";
    }

    @Test
    void everyRejectionIsJsonWithACodeAndChangesNothing() {
        long outbox = outboxSequence(db);
        String before = state();

        List<Case> cases = cases();
        assertSoftly(soft -> {
            for (Case c : cases) {
                Response r = send(c);
                soft.assertThat(r.statusCode()).as(c.name() + ": " + abbreviate(r.asString())).isEqualTo(c.status());
                soft.assertThat(r.contentType()).as(c.name() + " content type").startsWith("application/json");
                JsonNode body = parse(r.asString());
                soft.assertThat(body.path("error").path("code").asText(null)).as(c.name() + " code in " + abbreviate(r.asString()))
                        .isEqualTo(c.code());
                String message = body.path("error").path("message").asText("");
                soft.assertThat(message).as(c.name() + " message").isNotBlank();
                if (c.message() != null) {
                    soft.assertThat(message).as(c.name() + " message").contains(c.message());
                }
            }
        });

        assertThat(outboxSequence(db)).as("no outbox row was written").isEqualTo(outbox);
        assertThat(state()).as("services, versions, keys and pools unchanged").isEqualTo(before);
    }

    @Test
    void unknownAndForeignServicesLookTheSame() {
        String s = WebServiceApiTest.services(a);
        String foreign = a.as().get(s + "/" + othersService).then().statusCode(404).extract().path("error.message");
        String unknown = a.as().get(s + "/" + UNKNOWN).then().statusCode(404).extract().path("error.message");
        assertThat(foreign.replace(othersService, "ID")).isEqualTo(unknown.replace(UNKNOWN, "ID"));
    }

    private Response send(Case c) {
        RequestSpecification spec = given();
        String key = switch (c.key()) {
            case A -> a.key();
            case OTHER -> other.key();
            case WRONG -> "not-" + a.key();
            case MINE_SERVICE -> mineKey;
            case OTHERS_SERVICE -> othersKey;
            case NONE -> null;
        };
        if (key != null) {
            spec.header("Authorization", "Bearer " + key);
        }
        spec.contentType("application/json");
        if (c.body() != null) {
            spec.body(c.body());
        }
        return spec.request(c.method(), c.path());
    }

    /** Every row a registry request could write or change, for both accounts. */
    private String state() {
        String ids = "('" + a.id() + "','" + other.id() + "')";
        return rows("select id, name, kind, coalesce(billing_plan_id, '-'), current_version, primary_key_hash, "
                + "secondary_key_hash, deleted, updated_at from web_service where account_id in " + ids + " order by id")
                + rows("select v.service_id, v.version, v.model_sha256 from web_service_version v join web_service s "
                + "on s.id = v.service_id where s.account_id in " + ids + " order by 1, 2")
                + rows("select id, version, target_vms, billing_plan_id from pool where account_id in " + ids + " order by id");
    }

    private String rows(String sql) {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    out.append(rs.getString(i)).append('|');
                }
                out.append('\n');
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out.append("--\n").toString();
    }

    private static JsonNode parse(String body) {
        try {
            return new ObjectMapper().readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (Exception e) {
            return new ObjectMapper().createObjectNode();
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
