package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.batchpool.testkit.HttpSurface;
import io.batchpool.testkit.RawHttp;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.OPERATOR_KEY;
import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static io.batchpool.gateway.it.GatewayTestSupport.outboxSequence;
import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static io.batchpool.gateway.it.JobApiTest.newService;
import static io.batchpool.gateway.it.JobApiTest.ref;
import static io.batchpool.gateway.it.JobApiTest.request;
import static io.batchpool.gateway.it.JobApiTest.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's HTTP surface over real requests: every route's wrong methods, unknown paths, malformed requests and
 * metrics ({@link HttpSurface}), changing nothing; the key checked before a body is read; the body limit for chunked bodies; absolute URLs from
 * {@code batchpool.public-url} whatever the {@code Host}; BES property names in any case; body-less POSTs with any
 * content type; control characters and malformed tokens as JSON 400s.
 */
@QuarkusTest
class HttpSurfaceTest {
    static final String PUBLIC_URL = "http://127.0.0.1:8080";

    @Inject
    AgroalDataSource db;

    @Test
    void everyRouteAnswersWrongMethodsUnknownPathsMalformedRequestsAndMetricsWithTheJsonError() {
        newService(List.of()); // an account and a web service, so that there is something to change
        String state = "select (select count(*) from account) || '/' || (select count(*) from pool) || '/'"
                + " || (select count(*) from web_service) || '/' || (select count(*) from job)";
        String before = queryString(state);
        long outbox = outboxSequence(db);
        assertThat(HttpSurface.check(Map.of("scope", "subscriptions"), OPERATOR_KEY, false)).isGreaterThan(10);
        assertThat(queryString(state)).as("accounts/pools/services/jobs").isEqualTo(before);
        assertThat(outboxSequence(db)).as("no command").isEqualTo(outbox);
    }

    private String queryString(String sql) {
        try (var c = db.getConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUnauthenticatedChunkedBodyIsRefusedBeforeItIsRead() throws Exception {
        JobApiTest.Service s = newService(List.of());
        long jobs = queryLong(db, "select count(*) from job");
        // 64 KiB of a chunked body that never ends: the 401 must come without the rest (a reader would wait for it)
        for (String key : new String[]{null, "Bearer not-a-key"}) {
            RawHttp.Answer a = RawHttp.exchange("POST " + s.jobs() + "?api-version=2.0 HTTP/1.1\r\nHost: x\r\n"
                    + (key == null ? "" : "Authorization: " + key + "\r\n")
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked", RawHttp.chunks(1, 65536, (byte) ' '));
            assertThat(a.status()).as(a.body()).isEqualTo(401);
            assertThat(a.body()).contains("\"code\":\"Unauthorized\"");
        }
        // the same for the account API and the operator API
        Account acc = s.account();
        RawHttp.Answer pools = RawHttp.exchange("POST " + acc.pools() + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked", RawHttp.chunks(1, 65536, (byte) ' '));
        assertThat(pools.status()).as(pools.body()).isEqualTo(401);
        RawHttp.Answer operator = RawHttp.exchange("POST /operator/accounts HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked", RawHttp.chunks(1, 65536, (byte) ' '));
        assertThat(operator.status()).as(operator.body()).isEqualTo(401);
        assertThat(queryLong(db, "select count(*) from job")).isEqualTo(jobs);
    }

    @Test
    void aChunkedBodyOverTheLimitIsA413WithTheJsonErrorAndOneWithinItIsRead() throws Exception {
        JobApiTest.Service s = newService(List.of());
        long jobs = queryLong(db, "select count(*) from job");
        long outbox = outboxSequence(db);
        // 1 MiB + 128 KiB of a body that never ends: the 413 must come as soon as the limit is passed
        RawHttp.Answer tooLarge = RawHttp.exchange("POST " + s.jobs() + "?api-version=2.0 HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + s.key() + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked", RawHttp.chunks(18, 65536, (byte) ' '));
        assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(413);
        assertThat(tooLarge.header("Content-Type")).startsWith("application/json");
        assertThat(tooLarge.body()).contains("\"code\":\"RequestTooLarge\"");
        Account acc = s.account();
        RawHttp.Answer pool = RawHttp.exchange("POST " + acc.pools() + " HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + acc.key() + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked", RawHttp.chunks(18, 65536, (byte) ' '));
        assertThat(pool.status()).as(pool.body()).isEqualTo(413);
        assertThat(queryLong(db, "select count(*) from job")).as("no job").isEqualTo(jobs);
        assertThat(outboxSequence(db)).as("no command").isEqualTo(outbox);

        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(request(null));
        RawHttp.Answer ok = RawHttp.exchange("POST " + s.jobs() + "?api-version=2.0 HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + s.key() + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close", RawHttp.chunked(body));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).matches("\"[0-9a-f]{32}\"");
    }

    @Test
    void absoluteUrlsComeFromThePublicUrlNeverTheHostHeader() throws Exception {
        String created = "{\"name\":\"h\",\"maxPools\":2,\"maxVmsPerPool\":2}";
        RawHttp.Answer account = RawHttp.exchange("POST /operator/accounts HTTP/1.1\r\nHost: attacker.invalid\r\n"
                + "Authorization: Bearer " + OPERATOR_KEY + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + created.length() + "\r\nConnection: close", created.getBytes(StandardCharsets.UTF_8));
        assertThat(account.status()).as(account.body()).isEqualTo(201);
        assertThat(account.header("Location")).startsWith(PUBLIC_URL + "/operator/accounts/");

        JobApiTest.Service s = newService(List.of());
        String pool = "{\"vmCount\":1,\"billingPlanId\":\"p\"}";
        RawHttp.Answer poolCreated = RawHttp.exchange("POST /workspaces/" + s.account().id() + "/pools HTTP/1.1\r\n"
                + "Host: attacker.invalid\r\nAuthorization: Bearer " + s.account().key() + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + pool.length() + "\r\nConnection: close",
                pool.getBytes(StandardCharsets.UTF_8));
        assertThat(poolCreated.status()).as(poolCreated.body()).isEqualTo(201);
        assertThat(poolCreated.header("Location")).startsWith(PUBLIC_URL + "/workspaces/" + s.account().id() + "/pools/");

        submit(s, request(null));
        submit(s, request(null));
        RawHttp.Answer page = RawHttp.exchange("GET " + s.jobs() + "?api-version=2.0&$top=1 HTTP/1.1\r\n"
                + "Host: attacker.invalid\r\nX-Forwarded-Host: attacker.invalid\r\nAuthorization: Bearer " + s.key()
                + "\r\nConnection: close", null);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        String next = new com.fasterxml.jackson.databind.ObjectMapper().readTree(page.body()).path("NextLink").asText();
        assertThat(next).startsWith(PUBLIC_URL + s.jobs() + "?api-version=2.0&$top=1&$skiptoken=");
        // and the link works as it is
        Response second = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + s.key())
                .get(next.substring(PUBLIC_URL.length()));
        assertThat(second.statusCode()).as(second.asString()).isEqualTo(200);
        assertThat(second.jsonPath().getList("Value")).hasSize(1);
    }

    @Test
    void besPropertyNamesMatchInAnyCase() {
        JobApiTest.Service s = newService(List.of(Map.of("name", "Threshold")));
        String pool = newPool(s.account(), 1);
        Map<String, Object> lower = new HashMap<>();
        lower.put("inputs", Map.of("input1", lowerRef("/testint/data.csv")));
        lower.put("outputs", Map.of("output1", lowerRef("testint/out.csv")));
        lower.put("globalParameters", Map.of("Threshold", "0.3"));
        lower.put("azureBatchPoolId", pool);
        String job = submit(s, lower);
        Response status = s.as().get(s.jobs() + "/" + job);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.jsonPath().getString("AzureBatchPoolId")).isEqualTo(pool);

        Map<String, Object> single = new HashMap<>();
        single.put("INPUT", lowerRef("testint/data.csv"));
        single.put("Outputs", Map.of("output1", ref("testint/out.csv")));
        single.put("GLOBALPARAMETERS", Map.of("Threshold", "0.3"));
        submit(s, single);
    }

    private static Map<String, Object> lowerRef(String relative) {
        Map<String, Object> m = new HashMap<>();
        m.put("connectionString", JobApiTest.CONNECTION_STRING);
        m.put("relativeLocation", relative);
        m.put("baseLocation", null);
        m.put("sasBlobToken", null);
        return m;
    }

    @Test
    void postsWithoutABodyTakeAnEmptyOneOfAnyContentType() {
        JobApiTest.Service s = newService(List.of());
        String job = submit(s, request(null));
        String form = "application/x-www-form-urlencoded";
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(given().header("Authorization", "Bearer " + s.key()).contentType(form).body("")
                .post(s.jobs() + "/" + job + "/start?api-version=2.0").statusCode()).as("start").isEqualTo(200);
        soft.assertThat(given().header("Authorization", "Bearer " + s.key()).contentType("text/plain").body("")
                .post(s.jobs() + "/" + job + "/start?api-version=2.0").statusCode()).as("start, text").isEqualTo(200);
        soft.assertThat(given().header("Authorization", "Bearer " + s.key()).contentType(form).body("")
                .delete(s.jobs() + "/" + job + "?api-version=2.0").statusCode()).as("cancel").isEqualTo(200);
        Account a = s.account();
        soft.assertThat(given().header("Authorization", "Bearer " + a.key()).contentType(form).body("")
                .post("/subscriptions/" + a.id() + "/services/" + s.id() + "/keys/rotate?key=secondary").statusCode())
                .as("rotate a service key").isEqualTo(200);
        for (String action : new String[]{"rotate-key", "disable", "enable"}) {
            soft.assertThat(given().header("Authorization", "Bearer " + OPERATOR_KEY).contentType(form).body("")
                    .post("/operator/accounts/" + a.id() + "/" + action).statusCode()).as(action).isEqualTo(200);
        }
        soft.assertAll();
    }

    @Test
    void badHeadersAndMalformedTokensAre400sAndChangeNothing() throws Exception {
        JobApiTest.Service s = newService(List.of());
        long jobs = queryLong(db, "select count(*) from job");
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(request(null));
        SoftAssertions soft = new SoftAssertions();
        // a control character in a header value breaks HTTP itself: HttpSurface's table covers it (a bare 400)
        for (String key : new String[]{"caf\u00e9", "a b", "x".repeat(201)}) {
            RawHttp.Answer a = RawHttp.exchange("POST " + s.jobs() + "?api-version=2.0 HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + s.key() + "\r\nIdempotency-Key: " + key + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close",
                    body.getBytes(StandardCharsets.UTF_8));
            soft.assertThat(a.status()).as("key " + key + ": " + a.body()).isEqualTo(400);
            soft.assertThat(a.body()).as("key " + key).contains("\"code\":\"InvalidRequest\"");
        }
        for (String token : new String[]{"bm9wZQ", "a%00b", "%C3%28", "x".repeat(300), "MTox"}) {
            RawHttp.Answer a = RawHttp.exchange("GET " + s.jobs() + "?api-version=2.0&$skiptoken=" + token
                    + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.key() + "\r\nConnection: close", null);
            soft.assertThat(a.status()).as(token + ": " + a.body()).isEqualTo(400);
            soft.assertThat(a.body()).as(token).contains("\"code\":\"InvalidRequest\"");
        }
        // a request the HTTP layer's router fails (HTTP/1.1 without Host) gets the JSON error too
        RawHttp.Answer noHost = RawHttp.exchange("GET " + s.jobs() + "?api-version=2.0 HTTP/1.1\r\n"
                + "Authorization: Bearer " + s.key() + "\r\nConnection: close", null);
        soft.assertThat(noHost.status()).as("no Host: " + noHost.body()).isEqualTo(400);
        soft.assertThat(noHost.body()).as("no Host").contains("\"code\":\"InvalidRequest\"");
        soft.assertAll();
        assertThat(queryLong(db, "select count(*) from job")).isEqualTo(jobs);
    }

    @Test
    void metricsNeverNameATenantsIds() {
        JobApiTest.Service s = newService(List.of());
        String pool = newPool(s.account(), 1);
        given().contentType("text/plain").body("x").post(s.account().pools()).then().statusCode(415);
        given().put(s.jobs()).then().statusCode(405);
        given().get(s.jobs() + "/" + pool + "/start").then().statusCode(405);
        given().header("Authorization", "Bearer " + s.account().key()).contentType("application/json")
                .body("{\"name\":\"" + "n".repeat(1_100_000) + "\"}").post(s.account().pools()).then().statusCode(413);
        given().header("Accept", "text/html").get(s.account().pools() + "/" + pool).then().statusCode(406);
        s.account().as().get(s.account().pools() + "/" + pool).then().statusCode(200);
        String metrics = given().header("Authorization", "Bearer " + OPERATOR_KEY).get("/q/metrics").asString();
        assertThat(metrics).contains("http_server_requests").doesNotContain(s.account().id())
                .doesNotContain(s.id()).doesNotContain(pool);
        // a route's own requests keep their template (a template with a regular expression shows its names only)
        assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{method=\"GET\",outcome=\"SUCCESS\","
                + "status=\"200\",uri=\"/\\{scope}/\\{subscriptionId}/pools/\\{poolId}\"}");
        assertThat(RestAssured.get("/q/metrics").statusCode()).isEqualTo(401);
    }
}
