package io.batchpool.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.batchpool.gateway.it.JobApiTest.Service;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static io.batchpool.gateway.it.GatewayTestSupport.outboxSequence;
import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static io.batchpool.gateway.it.JobApiTest.ref;
import static io.batchpool.gateway.it.JobApiTest.request;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Every bad BES request gets a 4xx with the JSON error shape and a code, and changes nothing: no job row, no outbox
 * row. Table-driven: each case is a request a client could send.
 */
@QuarkusTest
class JobBadInputTest {
    @Inject
    AgroalDataSource db;

    record Case(String name, String method, String path, String key, String apiVersion, Object body, int status,
                String code) {
    }

    static Map<String, Object> with(Consumer<Map<String, Object>> change) {
        Map<String, Object> body = request(null);
        change.accept(body);
        return body;
    }

    static Map<String, Object> sas(String base, String relative, String token) {
        Map<String, Object> m = new HashMap<>();
        m.put("BaseLocation", base);
        m.put("RelativeLocation", relative);
        m.put("SasBlobToken", token);
        m.put("ConnectionString", null);
        return m;
    }

    @Test
    void everyRejectionIsJsonWithACodeAndChangesNothing() {
        Service s = JobApiTest.newService(List.of(Map.of("name", "Threshold"), Map.of("name", "Mode", "default", "fast")));
        Map<String, Object> threshold = Map.of("Threshold", "0.5");
        Account other = newAccount(2, 2);
        String foreignPool = newPool(other, 1);
        String deletingPool = newPool(s.account(), 1);
        s.account().as().delete(s.account().pools() + "/" + deletingPool).then().statusCode(202);
        String jobs = s.jobs();
        String good = "2.0";
        String cs = (String) ref("x/y.csv").get("ConnectionString");

        List<Case> c = new ArrayList<>();
        Map<String, Object> ok = with(b -> b.put("GlobalParameters", threshold));
        // api-version and keys
        c.add(new Case("no api-version", "POST", jobs, s.key(), null, ok, 400, "UnsupportedApiVersion"));
        c.add(new Case("api-version 1.0", "POST", jobs, s.key(), "1.0", ok, 400, "UnsupportedApiVersion"));
        c.add(new Case("no key", "POST", jobs, null, good, ok, 401, "Unauthorized"));
        c.add(new Case("wrong key", "POST", jobs, "not-a-key", good, ok, 401, "Unauthorized"));
        c.add(new Case("another account's key", "POST", jobs, other.key(), good, ok, 401, "Unauthorized"));
        c.add(new Case("wrong key, malformed body", "POST", jobs, "not-a-key", good, "{not json", 401, "Unauthorized"));
        c.add(new Case("unknown service", "POST", "/subscriptions/" + s.account().id() + "/services/"
                + "0123456789abcdef0123456789abcdef/jobs", s.account().key(), good, ok, 404, "WebServiceNotFound"));
        // the body
        c.add(new Case("no body", "POST", jobs, s.key(), good, null, 400, "InvalidRequest"));
        c.add(new Case("malformed JSON", "POST", jobs, s.key(), good, "{\"Inputs\": ", 400, "MalformedJson"));
        c.add(new Case("Inputs not a map", "POST", jobs, s.key(), good, with(b -> b.put("Inputs", "x")), 400, null));
        c.add(new Case("missing input", "POST", jobs, s.key(), good, with(b -> {
            b.remove("Inputs");
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidRequest"));
        c.add(new Case("two inputs", "POST", jobs, s.key(), good, with(b -> {
            b.put("Inputs", Map.of("a", ref("c/a.csv"), "b", ref("c/b.csv")));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidRequest"));
        c.add(new Case("Inputs and Input", "POST", jobs, s.key(), good, with(b -> {
            b.put("Input", ref("c/a.csv"));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidRequest"));
        c.add(new Case("missing outputs", "POST", jobs, s.key(), good, with(b -> {
            b.remove("Outputs");
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidRequest"));
        c.add(new Case("ilearner output", "POST", jobs, s.key(), good, with(b -> {
            b.put("Outputs", Map.of("output1", ref("c/model.ilearner")));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidRequest"));
        c.add(new Case("null reference", "POST", jobs, s.key(), good, with(b -> {
            Map<String, Object> inputs = new HashMap<>();
            inputs.put("input1", null);
            b.put("Inputs", inputs);
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidRequest"));
        c.add(new Case("no RelativeLocation", "POST", jobs, s.key(), good, with(b -> {
            b.put("Inputs", Map.of("input1", ref(null)));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidBlobReference"));
        c.add(new Case("malformed connection string", "POST", jobs, s.key(), good, with(b -> {
            Map<String, Object> r = ref("c/a.csv");
            r.put("ConnectionString", "AccountName=;;garbage");
            b.put("Inputs", Map.of("input1", r));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidBlobReference"));
        c.add(new Case("endpoint outside the allow-list", "POST", jobs, s.key(), good, with(b -> {
            b.put("Inputs", Map.of("input1", sas("https://metadata.internal.example.com/", "c/a.csv", "?sv=1&sig=x")));
            b.put("GlobalParameters", threshold);
        }), 400, "BlobEndpointNotAllowed"));
        c.add(new Case("SAS without token", "POST", jobs, s.key(), good, with(b -> {
            b.put("Inputs", Map.of("input1", sas("https://acct.blob.core.windows.net/", "c/a.csv", null)));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidBlobReference"));
        c.add(new Case("read-only SAS output", "POST", jobs, s.key(), good, with(b -> {
            b.put("Outputs", Map.of("output1", sas("https://acct.blob.core.windows.net/", "c/o.csv",
                    "?sv=2025-01-05&sr=c&sp=r&sig=abc")));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidBlobReference"));
        c.add(new Case("both credential forms", "POST", jobs, s.key(), good, with(b -> {
            Map<String, Object> r = sas("https://acct.blob.core.windows.net/", "c/a.csv", "?sv=1&sig=x");
            r.put("ConnectionString", cs);
            b.put("Inputs", Map.of("input1", r));
            b.put("GlobalParameters", threshold);
        }), 400, "InvalidBlobReference"));
        c.add(new Case("missing required parameter", "POST", jobs, s.key(), good, request(null), 400, "InvalidRequest"));
        c.add(new Case("unknown parameter", "POST", jobs, s.key(), good,
                with(b -> b.put("GlobalParameters", Map.of("Threshold", "1", "Colour", "red"))), 400, "InvalidRequest"));
        c.add(new Case("numeric parameter value", "POST", jobs, s.key(), good,
                "{\"Inputs\":{\"input1\":{\"ConnectionString\":\"" + cs + "\",\"RelativeLocation\":\"c/a.csv\"}},"
                        + "\"Outputs\":{\"output1\":{\"ConnectionString\":\"" + cs + "\",\"RelativeLocation\":\"c/o.csv\"}},"
                        + "\"GlobalParameters\":{\"Threshold\":0.5}}", 400, null));
        // pools
        c.add(new Case("malformed pool id", "POST", jobs, s.key(), good, with(b -> {
            b.put("AzureBatchPoolId", "pool-1");
            b.put("GlobalParameters", threshold);
        }), 404, "PoolNotFound"));
        c.add(new Case("unknown pool", "POST", jobs, s.key(), good, with(b -> {
            b.put("AzureBatchPoolId", "0123456789abcdef0123456789abcdef");
            b.put("GlobalParameters", threshold);
        }), 404, "PoolNotFound"));
        c.add(new Case("another account's pool", "POST", jobs, s.key(), good, with(b -> {
            b.put("AzureBatchPoolId", foreignPool);
            b.put("GlobalParameters", threshold);
        }), 404, "PoolNotFound"));
        c.add(new Case("the classic pool by id", "POST", jobs, s.key(), good, with(b -> {
            b.put("AzureBatchPoolId", JobApiTest.CLASSIC);
            b.put("GlobalParameters", threshold);
        }), 404, "PoolNotFound"));
        c.add(new Case("a pool being deleted", "POST", jobs, s.key(), good, with(b -> {
            b.put("AzureBatchPoolId", deletingPool);
            b.put("GlobalParameters", threshold);
        }), 409, "PoolDeleting"));
        // headers and other calls
        c.add(new Case("idempotency key with spaces", "POST-IDEMPOTENT", jobs, s.key(), good, ok, 400, "InvalidRequest"));
        c.add(new Case("start unknown job", "POST", jobs + "/0123456789abcdef0123456789abcdef/start", s.key(), good,
                null, 404, "JobNotFound"));
        c.add(new Case("start malformed job id", "POST", jobs + "/nope/start", s.key(), good, null, 404, "JobNotFound"));
        c.add(new Case("status unknown job", "GET", jobs + "/0123456789abcdef0123456789abcdef", s.key(), good, null,
                404, "JobNotFound"));
        c.add(new Case("cancel unknown job", "DELETE", jobs + "/0123456789abcdef0123456789abcdef", s.key(), good,
                null, 404, "JobNotFound"));
        c.add(new Case("status without api-version", "GET", jobs + "/0123456789abcdef0123456789abcdef", s.key(), null,
                null, 400, "UnsupportedApiVersion"));
        c.add(new Case("list $top=0", "GET", jobs + "?$top=0", s.key(), good, null, 400, "InvalidRequest"));
        c.add(new Case("list $top=abc", "GET", jobs + "?$top=abc", s.key(), good, null, 400, "InvalidRequest"));
        c.add(new Case("list bad $skiptoken", "GET", jobs + "?$skiptoken=bm9wZQ", s.key(), good, null, 400,
                "InvalidRequest"));

        long outbox = outboxSequence(db);
        long rows = queryLong(db, "select count(*) from job");
        assertSoftly(soft -> {
            for (Case k : c) {
                Response r = send(k);
                soft.assertThat(r.statusCode()).as(k.name() + ": " + r.asString()).isEqualTo(k.status());
                soft.assertThat(r.contentType()).as(k.name() + " content type").startsWith("application/json");
                JsonNode body = parse(r.asString());
                String code = body.path("error").path("code").asText(null);
                if (k.code() != null) {
                    soft.assertThat(code).as(k.name() + " code in " + r.asString()).isEqualTo(k.code());
                } else {
                    soft.assertThat(code).as(k.name() + " code in " + r.asString()).isNotBlank();
                }
                soft.assertThat(body.path("error").path("message").asText("")).as(k.name() + " message").isNotBlank()
                        .doesNotContain(JobApiTest.ACCOUNT_KEY);
            }
        });
        assertThat(outboxSequence(db)).as("no outbox row was written").isEqualTo(outbox);
        assertThat(queryLong(db, "select count(*) from job")).as("no job row was written").isEqualTo(rows);
    }

    private static Response send(Case k) {
        RequestSpecification r = given().urlEncodingEnabled(false).contentType("application/json");
        if (k.key() != null) {
            r = r.header("Authorization", "Bearer " + k.key());
        }
        String path = k.path();
        if (k.apiVersion() != null) {
            path += (path.contains("?") ? "&" : "?") + "api-version=" + k.apiVersion();
        }
        if (k.body() instanceof String text) {
            r = r.body(text);
        } else if (k.body() != null) {
            r = r.body(k.body());
        }
        switch (k.method()) {
            case "POST":
                return r.post(path);
            case "POST-IDEMPOTENT":
                return r.header("Idempotency-Key", "has spaces in it").post(path);
            case "GET":
                return r.get(path);
            case "DELETE":
                return r.delete(path);
            case "PUT":
                return r.put(path);
            default:
                throw new IllegalArgumentException(k.method());
        }
    }

    private static JsonNode parse(String body) {
        try {
            return new ObjectMapper().readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (Exception e) {
            return MissingNode.getInstance();
        }
    }
}
