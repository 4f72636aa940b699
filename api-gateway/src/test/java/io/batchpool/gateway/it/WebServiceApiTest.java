package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.domain.AccountKeys;
import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.queryLong;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class WebServiceApiTest {
    private static final String PUBLIC = "http://127.0.0.1:8080";

    @Inject
    AgroalDataSource db;

    static String services(Account a) {
        return "/subscriptions/" + a.id() + "/services";
    }

    static Response register(Account a, Map<String, Object> body) {
        return a.as().body(body).post(services(a));
    }

    @Test
    void registerGetListSwaggerUpdateRotateDelete() {
        Account a = newAccount(3, 10);
        Response created = register(a, Map.of("name", "census", "kind", "new", "billingPlanId", "plan-census",
                "parameters", List.of(Map.of("name", "Threshold", "default", "0.5"), Map.of("name", "Database query")),
                "model", Models.base64(Models.ADULT_TENSOR)));
        created.then().statusCode(201)
                .body("serviceId", matchesPattern("[0-9a-f]{32}"))
                .body("name", equalTo("census")).body("kind", equalTo("new"))
                .body("billingPlanId", equalTo("plan-census")).body("version", equalTo(1))
                .body("outputs", contains("Scored Labels", "Scored Probabilities"))
                .body("inputSchema.name", equalTo(AdultCensusModel.FEATURES))
                .body("inputSchema.find { it.name == 'age' }.type", equalTo("numeric"))
                .body("inputSchema.find { it.name == 'workclass' }.type", equalTo("categorical"))
                .body("parameters[0].default", equalTo("0.5")).body("parameters[0].required", equalTo(false))
                .body("parameters[1]", not(hasKey("default"))).body("parameters[1].required", equalTo(true));
        String id = created.path("serviceId");
        String primary = created.path("primaryKey");
        String secondary = created.path("secondaryKey");
        String base = PUBLIC + services(a) + "/" + id;
        assertThat(created.<String>path("batchRequestsUrl")).isEqualTo(base + "/jobs");
        assertThat(created.<String>path("swaggerUrl")).isEqualTo(base + "/swagger.json");
        assertThat(created.getHeader("Location")).endsWith(services(a) + "/" + id);
        assertThat(primary).isNotBlank().isNotEqualTo(secondary).isNotEqualTo(a.key());
        // stored as hashes only
        assertThat(queryLong(db, "select count(*) from web_service where id = '" + id + "' and primary_key_hash = '"
                + AccountKeys.hash(primary) + "' and secondary_key_hash = '" + AccountKeys.hash(secondary) + "'")).isEqualTo(1);

        a.as().get(services(a) + "/" + id).then().statusCode(200)
                .body("$", not(hasKey("primaryKey"))).body("$", not(hasKey("secondaryKey"))).body("$", not(hasKey("model")))
                .body("version", equalTo(1));
        a.as().get("/workspaces/" + a.id() + "/services").then().statusCode(200).body("serviceId", contains(id));

        // swagger.json: the service's keys or the account key; both path forms
        for (String key : List.of(primary, secondary, a.key())) {
            given().header("Authorization", "Bearer " + key).get(services(a) + "/" + id + "/swagger.json")
                    .then().statusCode(200).body("swagger", equalTo("2.0"))
                    .body("x-batchpool-billing-plan", equalTo("plan-census"))
                    .body("x-batchpool-batch-requests-url", equalTo(base + "/jobs?api-version=2.0"))
                    .body("paths", hasKey("/subscriptions/" + a.id() + "/services/" + id + "/jobs"))
                    .body("definitions.InputRow.required", equalTo(AdultCensusModel.FEATURES))
                    .body("definitions.BatchExecutionRequest.properties", hasKey("AzureBatchPoolId"));
        }
        given().header("Authorization", "Bearer " + primary).get("/workspaces/" + a.id() + "/services/" + id + "/swagger.json")
                .then().statusCode(200);

        // a new model version; version 1 stays stored
        a.as().body(Map.of("model", Models.base64(Models.ADULT_ZIPMAP))).put(services(a) + "/" + id + "/model")
                .then().statusCode(200).body("version", equalTo(2)).body("parameters.name", contains("Threshold", "Database query"));
        assertThat(queryLong(db, "select count(distinct model_sha256) from web_service_version where service_id = '" + id + "'"))
                .isEqualTo(2);
        assertThat(queryLong(db, "select current_version from web_service where id = '" + id + "'")).isEqualTo(2);

        // rotate the primary key: the old one stops working, the secondary still works
        Response rotated = a.as().post(services(a) + "/" + id + "/keys/rotate?key=primary");
        rotated.then().statusCode(200).body("$", not(hasKey("secondaryKey")));
        String newPrimary = rotated.path("primaryKey");
        assertThat(newPrimary).isNotBlank().isNotEqualTo(primary);
        given().header("Authorization", "Bearer " + primary).get(services(a) + "/" + id + "/swagger.json").then().statusCode(401);
        given().header("Authorization", "Bearer " + newPrimary).get(services(a) + "/" + id + "/swagger.json").then().statusCode(200);
        given().header("Authorization", "Bearer " + secondary).get(services(a) + "/" + id + "/swagger.json").then().statusCode(200);

        // a pool created from the swagger URL takes the service's plan (either path form)
        for (String url : List.of(base + "/swagger.json",
                "https://elsewhere.example/workspaces/" + a.id() + "/services/" + id + "/swagger.json")) {
            a.as().body(Map.of("vmCount", 1, "serviceUrl", url)).post(a.pools()).then().statusCode(201)
                    .body("billingPlanId", equalTo("plan-census"));
        }

        a.as().delete(services(a) + "/" + id).then().statusCode(204);
        a.as().get(services(a) + "/" + id).then().statusCode(404).body("error.code", equalTo("WebServiceNotFound"));
        a.as().get(services(a)).then().statusCode(200).body("size()", equalTo(0));
        given().header("Authorization", "Bearer " + newPrimary).get(services(a) + "/" + id + "/swagger.json").then().statusCode(401);
        a.as().body(Map.of("vmCount", 1, "serviceUrl", base + "/swagger.json")).post(a.pools()).then().statusCode(404)
                .body("error.code", equalTo("WebServiceNotFound"));
        assertThat(queryLong(db, "select count(*) from web_service_version where service_id = '" + id + "'"))
                .as("versions are kept for jobs that name them").isEqualTo(2);
    }

    /** Fails on a runtime that returns {negative: -p, positive: p} for a binary forest (ONNX Runtime 1.26.0). */
    @Test
    void treeEnsemblesInTheSkl2onnxLayoutRegister() {
        Account a = newAccount(1, 10);
        for (byte[] model : List.of(Models.FOREST, Models.BOOSTING_INT64)) {
            Response created = register(a, Map.of("name", "trees", "kind", "classic", "model", Models.base64(model)));
            assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
            created.then().body("inputSchema.name", equalTo(AdultCensusModel.FEATURES));
        }
    }

    @Test
    void classicServiceHasNoPlanAndCannotCreateAPool() {
        Account a = newAccount(3, 10);
        Response created = register(a, Map.of("name", "classic census", "kind", "classic",
                "model", Models.base64(Models.ADULT_ZIPMAP)));
        created.then().statusCode(201).body("kind", equalTo("classic")).body("billingPlanId", nullValue())
                .body("parameters.size()", equalTo(0));
        String id = created.path("serviceId");
        a.as().get(services(a) + "/" + id + "/swagger.json").then().statusCode(200)
                .body("$", not(hasKey("x-batchpool-billing-plan")));
        long pools = queryLong(db, "select count(*) from pool where account_id = '" + a.id() + "'");
        a.as().body(Map.of("vmCount", 1, "serviceUrl", PUBLIC + services(a) + "/" + id + "/swagger.json"))
                .post(a.pools()).then().statusCode(400).body("error.code", equalTo("ClassicServiceHasNoPlan"));
        assertThat(queryLong(db, "select count(*) from pool where account_id = '" + a.id() + "'")).isEqualTo(pools);
    }

    @Test
    void modelLargerThanTheGeneralBodyLimitIsAccepted() throws Exception {
        Account a = newAccount(1, 1);
        byte[] model = Models.padded(2_000_000); // base64 ≈ 2.7 MB > batchpool.max-request-bytes (1 MiB)
        register(a, Map.of("name", "big", "kind", "classic", "model", Models.base64(model))).then().statusCode(201)
                .body("version", equalTo(1));
    }
}
