package io.batchpool.testkit;

import io.batchpool.rest.RouteTable;
import io.batchpool.rest.Routes;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.assertj.core.api.SoftAssertions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP surface every Batchpool service shares, checked over real requests inside a service's
 * {@code @QuarkusTest}: for every route of the service (read from its resources, so a new route is covered without
 * editing a test), each method it lacks is a 405 with {@code Allow} and the JSON error body; for an internal service
 * each method it has refuses a call without the operator key (401, whatever the body); unknown paths are 404, a
 * long request line 414, {@code /q/metrics} needs the operator key and shows route templates only, never a path
 * the client chose; {@code /q/health} is open.
 */
public final class HttpSurface {
    /** An id no route knows; it must never show up in the metrics. */
    public static final String MARKER = "feedc0defeedc0defeedc0defeedc0de";
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");

    private HttpSurface() {
    }

    /** The outcome of one request of the table, for a caller's own assertions. */
    public record Call(String name, Response response) {
    }

    /**
     * @param values     a value for path parameters that must not be ids (e.g. {@code scope=subscriptions}); ids
     *                   get {@link #MARKER}
     * @param operatorKey the service's operator key
     * @param internal   true for an internal service: every route needs the operator key
     * @return the number of requests made
     */
    public static int check(Map<String, String> values, String operatorKey, boolean internal) {
        List<RouteTable.Route> routes = Routes.table().routes();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(routes).as("the service has routes").isNotEmpty();
        int calls = 0;
        for (RouteTable.Route route : routes) {
            String path = instantiate(route.template(), values);
            for (String method : METHODS) {
                if (route.methods().contains(method)) {
                    if (internal) {
                        Response r = given(null).body("{\"any\":\"body\"}").request(method, path);
                        expectError(soft, method + " " + path + " without key", r, 401, "Unauthorized");
                        r = given("Bearer not-" + operatorKey).request(method, path);
                        expectError(soft, method + " " + path + " wrong key", r, 401, "Unauthorized");
                        calls += 2;
                    }
                    continue;
                }
                Response r = given("Bearer " + operatorKey).body("{}").request(method, path);
                expectError(soft, method + " " + path, r, 405, "MethodNotAllowed");
                soft.assertThat(r.header("Allow")).as(method + " " + path + " Allow")
                        .isNotNull()
                        .satisfies(allow -> soft.assertThat(Set.of(allow.split(",\\s*")))
                                .as(method + " " + path + " Allow lists the route's methods")
                                .containsAll(route.methods().stream().filter(METHODS::contains).toList()));
                calls++;
            }
        }
        Response unknown = given("Bearer " + operatorKey).get("/no/such/" + MARKER);
        expectError(soft, "unknown path", unknown, 404, "NotFound");
        Response unknownPost = given("Bearer " + operatorKey).body("{}").post("/" + MARKER);
        expectError(soft, "unknown path, POST", unknownPost, 404, "NotFound");
        Response longUri = given("Bearer " + operatorKey).get("/" + MARKER + "/" + "x".repeat(10_000));
        expectError(soft, "long request line", longUri, 414, "UriTooLong");
        calls += 3;

        Response metricsNoKey = given(null).get("/q/metrics");
        expectError(soft, "/q/metrics without key", metricsNoKey, 401, "Unauthorized");
        Response metricsWrongKey = given("Bearer not-" + operatorKey).get("/q/metrics");
        expectError(soft, "/q/metrics wrong key", metricsWrongKey, 401, "Unauthorized");
        Response metrics = given("Bearer " + operatorKey).get("/q/metrics");
        soft.assertThat(metrics.statusCode()).as("/q/metrics with the operator key").isEqualTo(200);
        soft.assertThat(metrics.asString()).as("metrics carry route templates only, never a client's path")
                .contains("http_server_requests").doesNotContain(MARKER).doesNotContain("xxxxxxxxxx");
        soft.assertThat(given(null).get("/q/health/live").statusCode()).as("/q/health/live is open").isEqualTo(200);
        soft.assertAll();
        return calls;
    }

    /**
     * {@link #check} for an internal service, plus: {@code samplePath} (a route of it) answers the operator key (200, or
     * the 404 of an unknown id), and 401 without it.
     */
    public static void checkInternal(String operatorKey, String samplePath) {
        check(Map.of(), operatorKey, true);
        int status = RestAssured.given().header("Authorization", "Bearer " + operatorKey).get(samplePath).statusCode();
        org.assertj.core.api.Assertions.assertThat(status).as(samplePath + " with the operator key").isIn(200, 404);
        org.assertj.core.api.Assertions.assertThat(RestAssured.given().get(samplePath).statusCode())
                .as(samplePath + " without it").isEqualTo(401);
    }

    /** Asserts the status and the JSON error body {@code {"error":{"code","message"}}}. */
    public static void expectError(SoftAssertions soft, String name, Response r, int status, String code) {
        soft.assertThat(r.statusCode()).as(name + ": " + r.asString()).isEqualTo(status);
        soft.assertThat(r.contentType()).as(name + " content type").startsWith("application/json");
        String actual = null;
        String message = null;
        try {
            actual = r.jsonPath().getString("error.code");
            message = r.jsonPath().getString("error.message");
        } catch (RuntimeException e) {
            // asserted below
        }
        soft.assertThat(actual).as(name + " error.code in " + r.asString()).isEqualTo(code);
        soft.assertThat(message).as(name + " error.message").isNotBlank();
    }

    private static RequestSpecification given(String authorization) {
        RequestSpecification spec = RestAssured.given().contentType("application/json").urlEncodingEnabled(false);
        return authorization == null ? spec : spec.header("Authorization", authorization);
    }

    private static String instantiate(String template, Map<String, String> values) {
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), MARKER)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
