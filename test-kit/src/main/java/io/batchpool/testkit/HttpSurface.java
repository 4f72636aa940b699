package io.batchpool.testkit;

import io.batchpool.rest.RouteTable;
import io.batchpool.rest.Routes;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.assertj.core.api.SoftAssertions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The HTTP surface every Batchpool service shares, checked over real requests inside a service's
 * {@code @QuarkusTest}: for every route of the service (read from its resources, so a new route is covered without
 * editing a test), each method it lacks is a 405 with {@code Allow} and the JSON error body; for an internal service
 * each method it has refuses a call without the operator key (401, whatever the body); unknown paths are 404; the
 * {@link #malformed} requests on a plain socket (long URIs, large headers, unsupported versions, control characters,
 * broken framing, ...) get the JSON error, or the bare status of the HTTP layer's own limits; {@code /q/metrics}
 * needs the operator key and shows route templates only, never a path the client chose; {@code /q/health} is open.
 */
public final class HttpSurface {
    /** An id no route knows; it must never show up in the metrics. */
    public static final String MARKER = "feedc0defeedc0defeedc0defeedc0de";
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");
    /** The method and uri labels of an HTTP server metric in the Prometheus text format. */
    private static final Pattern HTTP_LABELS =
            Pattern.compile("http_server_requests_seconds_count\\{([^}]*,)?method=\"([^\"]*)\",.*uri=\"([^\"]*)\"");

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
        calls += 2;
        calls += checkMalformed(soft, routes, values, operatorKey);

        Response metricsNoKey = given(null).get("/q/metrics");
        expectError(soft, "/q/metrics without key", metricsNoKey, 401, "Unauthorized");
        Response metricsWrongKey = given("Bearer not-" + operatorKey).get("/q/metrics");
        expectError(soft, "/q/metrics wrong key", metricsWrongKey, 401, "Unauthorized");
        Response metrics = given("Bearer " + operatorKey).get("/q/metrics");
        soft.assertThat(metrics.statusCode()).as("/q/metrics with the operator key").isEqualTo(200);
        soft.assertThat(metrics.asString()).as("metrics carry route templates only, never a client's path")
                .contains("http_server_requests").doesNotContain(MARKER).doesNotContain("aaaaaaaaaa");
        Set<String> templates = new java.util.HashSet<>(routes.stream().map(RouteTable.Route::template).toList());
        templates.add(Routes.UNMATCHED);
        Matcher label = HTTP_LABELS.matcher(metrics.asString());
        while (label.find()) {
            soft.assertThat(label.group(2)).as("metrics label " + label.group()).isIn(
                    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "OTHER");
            soft.assertThat(label.group(3)).as("metrics label " + label.group()).isIn(templates);
        }
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

    /**
     * A request no regular client sends, sent as it is on a plain socket: what must come back is {@code status} with
     * the JSON error {@code code}, or, where {@code code} is null, {@code status} with no body at all (a limit of the
     * HTTP layer itself, answered before anything of ours runs: rest-kit/README.md lists them). Either way the server
     * closes the connection.
     */
    public record Malformed(String name, String request, int status, String code) {
    }

    /** The malformed requests of {@link #check} for one route: {@code method} on {@code path}. */
    public static List<Malformed> malformed(String method, String path, String authorization) {
        String line = method + " " + path + " HTTP/1.1";
        List<Malformed> c = new ArrayList<>();
        // answered by rest-kit before any route, with the JSON error
        c.add(new Malformed("HTTP version 9.9", request(method + " " + path + " HTTP/9.9", authorization),
                400, "InvalidRequest"));
        c.add(new Malformed("version FOO/1.1", request(method + " " + path + " FOO/1.1", authorization),
                400, "InvalidRequest"));
        c.add(new Malformed("HTTP/1.1 without Host", line + "\r\nAuthorization: " + authorization
                + "\r\nConnection: close\r\n\r\n", 400, "InvalidRequest"));
        c.add(new Malformed("URI of 9000 characters", request(method + " " + path + "?x=" + "a".repeat(9000)
                + " HTTP/1.1", authorization), 414, "UriTooLong"));
        c.add(new Malformed("a header field of 25 KiB", request(line, authorization,
                "X-Big: " + "b".repeat(25 * 1024)), 431, "HeadersTooLarge"));
        c.add(new Malformed("1000 header fields, 30 KiB together", request(line, authorization,
                IntStream.range(0, 1000).mapToObj(i -> "X-H" + i + ": " + "v".repeat(20)).toArray(String[]::new)),
                431, "HeadersTooLarge"));
        c.add(new Malformed("Content-Length of 1 TiB, body not sent", request(line, authorization,
                "Content-Type: application/json", "Content-Length: 1099511627776"), 413, "RequestTooLarge"));
        // limits of the HTTP layer itself: Netty's request decoder (Vert.x' default invalid-request handler answers)
        c.add(new Malformed("request line over 64 KiB", request(method + " " + path + "?x=" + "a".repeat(70_000)
                + " HTTP/1.1", authorization), 414, null));
        c.add(new Malformed("header fields over 64 KiB", request(line, authorization,
                "X-Big: " + "b".repeat(70_000)), 431, null));
        for (char ctl : new char[]{'\u0001', '\u0000', '\u007f', '\r'}) {
            c.add(new Malformed("character " + (int) ctl + " in Idempotency-Key", request(line, authorization,
                    "Idempotency-Key: a" + ctl + "b"), 400, null));
        }
        c.add(new Malformed("bare LF line ends", request(line, authorization).replace("\r\n", "\n"), 400, null));
        c.add(new Malformed("request line of two tokens", request(method + " " + path, authorization), 400, null));
        c.add(new Malformed("a space in the request target", request(method + " " + path + " x HTTP/1.1",
                authorization), 400, null));
        c.add(new Malformed("( in the method", request("G(T " + path + " HTTP/1.1", authorization), 400, null));
        c.add(new Malformed("a space in a header name", request(line, authorization, "Bad Name: v"), 400, null));
        c.add(new Malformed("a header line without colon", request(line, authorization, "NoColon"), 400, null));
        c.add(new Malformed("whitespace before a colon", request(line, authorization, "X-A : v"), 400, null));
        c.add(new Malformed("whitespace before the first header", request(line, authorization)
                .replaceFirst("\r\nHost", "\r\n Host"), 400, null));
        c.add(new Malformed("Content-Length not a number", request(line, authorization, "Content-Length: abc"),
                400, null));
        c.add(new Malformed("two different Content-Length", request(line, authorization, "Content-Length: 2",
                "Content-Length: 3"), 400, null));
        c.add(new Malformed("Content-Length and chunked", request(line, authorization, "Content-Length: 2",
                "Transfer-Encoding: chunked"), 400, null));
        // Quarkus' check of the request URI (java.net.URI), before the router
        for (String query : new String[]{"%zz", "%", "%E0%A4%A", "a|b"}) {
            c.add(new Malformed("query x=" + query, request(method + " " + path + "?x=" + query + " HTTP/1.1",
                    authorization), 400, null));
        }
        return c;
    }

    /** Malformed requests to a path no route has: HTTP/2 is not spoken in clear text, whatever the client asks. */
    public static List<Malformed> malformedAnywhere(String authorization) {
        String path = "/no/such/" + MARKER;
        return List.of(
                new Malformed("h2c upgrade with malformed HTTP2-Settings", "GET " + path + " HTTP/1.1\r\nHost: x\r\n"
                        + "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: !!!\r\n"
                        + "Authorization: " + authorization + "\r\nConnection: close\r\n\r\n", 404, "NotFound"),
                new Malformed("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, "InvalidRequest"),
                new Malformed("a method of the client's own", "XQZ" + MARKER.substring(0, 8) + " " + path
                        + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, "NotFound"));
    }

    /** Sends every {@link #malformed} request to every route and {@link #malformedAnywhere}; returns how many. */
    private static int checkMalformed(SoftAssertions soft, List<RouteTable.Route> routes, Map<String, String> values,
                                      String operatorKey) {
        List<Malformed> cases = new ArrayList<>(malformedAnywhere("Bearer " + operatorKey));
        for (RouteTable.Route route : routes) {
            String method = METHODS.stream().filter(route.methods()::contains).findFirst().orElse("GET");
            cases.addAll(malformed(method, instantiate(route.template(), values), "Bearer " + operatorKey).stream()
                    .map(m -> new Malformed(method + " " + route.template() + ", " + m.name(), m.request(), m.status(),
                            m.code()))
                    .toList());
        }
        for (Malformed m : cases) {
            RawHttp.Answer a;
            try {
                a = RawHttp.send(m.request().getBytes(StandardCharsets.ISO_8859_1), null);
            } catch (IOException e) {
                soft.fail(m.name() + ": " + e);
                continue;
            }
            expectError(soft, m, a);
        }
        return cases.size();
    }

    /** Asserts the answer {@code m} must get (status, JSON error or no body, connection closed). */
    public static void expectError(SoftAssertions soft, Malformed m, RawHttp.Answer a) {
        soft.assertThat(a.status()).as(m.name() + ": " + a.body()).isEqualTo(m.status());
        soft.assertThat(a.closed()).as(m.name() + ": connection closed").isTrue();
        if (m.code() == null) {
            soft.assertThat(a.body()).as(m.name() + ": a limit of the HTTP layer, no body").isEmpty();
            return;
        }
        soft.assertThat(a.header("Content-Type")).as(m.name() + " content type").startsWith("application/json");
        soft.assertThat(a.body()).as(m.name()).contains("\"code\":\"" + m.code() + "\"").contains("\"message\":\"");
    }

    /** A request line, Host, Authorization, {@code headers}, Connection: close and the blank line. */
    private static String request(String requestLine, String authorization, String... headers) {
        StringBuilder out = new StringBuilder(requestLine).append("\r\nHost: x\r\nAuthorization: ")
                .append(authorization).append("\r\n");
        for (String header : headers) {
            out.append(header).append("\r\n");
        }
        return out.append("Connection: close\r\n\r\n").toString();
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
