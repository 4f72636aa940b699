package io.batchpool.billing.rest;

import io.batchpool.testkit.HttpSurface;
import io.batchpool.testkit.KafkaBrokerResource;
import io.batchpool.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.batchpool.billing.BillingTestSupport.operator;
import static org.assertj.core.api.Assertions.assertThat;

/** No client input gives a 500 or a non-JSON error body. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "batchpool_test_billing_meter"))
class ErrorResponsesTest {

    private static void assertError(Response response, int status, String code) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.jsonPath().getString("error.code")).isEqualTo(code);
        assertThat(response.jsonPath().getString("error.message")).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "none", value = {
            "none", "Bearer wrong-key", "Basic b3BlcmF0b3I6b3BlcmF0b3ItZGV2LWtleQ==", "Bearer", "operator-dev-key",
            "Bearer operator-dev-key-and-more"})
    void usageNeedsTheOperatorKey(String authorization) {
        RequestSpecification request = RestAssured.given();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        for (String path : new String[]{"/usage/pools/p", "/usage/plans/p", "/usage/accounts/a", "/usage/pools/p/vms"}) {
            Response response = request.get(path);
            assertError(response, 401, "Unauthorized");
            assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
    }

    @Test
    void theSchemeIsCaseInsensitive() {
        RestAssured.given().header("Authorization", "bearer operator-dev-key").get("/usage/pools/p")
                .then().statusCode(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "from=yesterday                                              | InvalidRange",
            "to=2026-13-01T00:00:00Z                                     | InvalidRange",
            "from=2026-11-26                                             | InvalidRange",
            "from=                                                       | InvalidRange",
            "from=2026-11-26T10:00:00Z&to=2026-11-26T10:00:00Z           | InvalidRange",
            "from=2026-11-26T11:00:00Z&to=2026-11-26T10:00:00Z           | InvalidRange",
            "from=1969-12-31T00:00:00Z&to=1970-01-02T00:00:00Z           | InvalidRange",
            "from=2026-01-01T00:00:00Z&to=+1000000000-01-01T00:00:00Z    | InvalidRange",
            "from=2999-01-01T00:00:00Z                                   | InvalidRange",
            "hourly=maybe                                                | InvalidParameter",
            "hourly=                                                     | InvalidParameter",
            "from=1970-01-01T00:00:00Z&to=1990-01-01T00:00:00Z           | RangeTooLarge",
            "from=1970-01-01T00:00:00Z&to=9999-01-01T00:00:00Z&hourly=true | RangeTooLarge"})
    void badQueriesAreJson400s(String query, String code) {
        for (String scope : new String[]{"pools", "plans", "accounts"}) {
            assertError(operator().urlEncodingEnabled(false).get("/usage/" + scope + "/some-id?" + query), 400, code);
        }
    }

    @Test
    void aHugeRangeWithoutTheHourlyBreakdownIsFine() {
        Response response = operator().queryParam("from", "1970-01-01T00:00:00Z")
                .queryParam("to", "9999-01-01T00:00:00Z").queryParam("hourly", "false").get("/usage/pools/p");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.jsonPath().getLong("computeMillis")).isZero();
    }

    @Test
    void offsetsInTimesAreAccepted() {
        Response response = operator().urlEncodingEnabled(true).queryParam("from", "2026-11-26T10:00:00+02:00")
                .queryParam("to", "2026-11-26T10:00:00Z").get("/usage/pools/p");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.jsonPath().getString("from")).isEqualTo("2026-11-26T08:00:00Z");
        assertThat(response.jsonPath().getList("hourly")).hasSize(2);
    }

    @Test
    void unknownPathsAndMethodsAreJsonErrors() {
        assertError(operator().get("/usage/widgets/x"), 404, "NotFound");
        assertError(operator().get("/nothing-here"), 404, "NotFound");
        assertError(operator().get("/usage/pools/p/vms/extra"), 404, "NotFound");
        assertError(RestAssured.get("/"), 404, "NotFound");
        assertError(operator().post("/usage/pools/p"), 405, "MethodNotAllowed");
        assertError(operator().delete("/usage/accounts/a"), 405, "MethodNotAllowed");
        assertError(operator().header("Accept", "text/html").get("/usage/pools/p"), 406, "NotAcceptable");
    }

    @Test
    void healthMetricsAndOpenApiAreServed() {
        RestAssured.get("/q/health/live").then().statusCode(200);
        RestAssured.get("/q/openapi").then().statusCode(200);
        assertThat(operator().get("/q/metrics").asString()).contains("batchpool_records_skipped");
    }

    @Test
    void everyRouteNeedsTheOperatorKeyAndEveryErrorIsJson() {
        HttpSurface.checkInternal("operator-dev-key", "/usage/pools/p");
    }
}
