package io.batchpool.gateway.it;

import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
class PoolApiTest {

    @Test
    void createGetListResizeDelete() {
        Account a = newAccount(3, 10);
        Response created = a.as()
                .body(Map.of("vmCount", 2, "billingPlanId", "plan-a", "slotsPerVm", 4, "name", "nightly",
                        "someFutureField", true))
                .post(a.pools());
        created.then().statusCode(201)
                .header("Location", endsWith(a.pools() + "/" + created.path("poolId")))
                .body("poolId", matchesPattern("[0-9a-f]{32}"))
                .body("name", equalTo("nightly"))
                .body("subscriptionId", equalTo(a.id()))
                .body("billingPlanId", equalTo("plan-a"))
                .body("slotsPerVm", equalTo(4))
                .body("state", equalTo("Active"))
                .body("targetVms", equalTo(2))
                .body("vmsProvisioning", equalTo(0))
                .body("vmsReady", equalTo(0))
                .body("vmsDraining", equalTo(0))
                .body("createdAt", notNullValue())
                .body("updatedAt", notNullValue());
        String pool = created.path("poolId");

        a.as().get(a.pools() + "/" + pool).then().statusCode(200)
                .body("poolId", equalTo(pool)).body("targetVms", equalTo(2))
                .body("createdAt", equalTo(created.<String>path("createdAt")));

        a.as().body(Map.of("vmCount", 7)).post(a.pools() + "/" + pool + "/resize").then().statusCode(202)
                .body("targetVms", equalTo(7)).body("state", equalTo("Active"));
        a.as().body(Map.of("vmCount", 0)).patch(a.pools() + "/" + pool).then().statusCode(202)
                .body("targetVms", equalTo(0));
        a.as().get(a.pools() + "/" + pool).then().body("targetVms", equalTo(0));

        String other = newPool(a, 1);
        a.as().get(a.pools()).then().statusCode(200).body("poolId", containsInAnyOrder(pool, other));

        a.as().delete(a.pools() + "/" + pool).then().statusCode(202)
                .body("state", equalTo("Deleting")).body("targetVms", equalTo(0));
        a.as().get(a.pools() + "/" + pool).then().statusCode(200).body("state", equalTo("Deleting"));
        // a repeated delete is accepted and changes nothing; a forced one too
        a.as().delete(a.pools() + "/" + pool).then().statusCode(202).body("state", equalTo("Deleting"));
        a.as().delete(a.pools() + "/" + pool + "?force=true").then().statusCode(202).body("state", equalTo("Deleting"));
        a.as().body(Map.of("vmCount", 1)).post(a.pools() + "/" + pool + "/resize").then().statusCode(409)
                .body("error.code", equalTo("PoolDeleting"));
    }

    @Test
    void workspacePathsNameTheSameAccount() {
        Account a = newAccount(2, 5);
        String pool = a.as().body(Map.of("vmCount", 1, "billingPlanId", "p"))
                .post("/workspaces/" + a.id() + "/pools").then().statusCode(201).extract().path("poolId");
        a.as().get(a.pools() + "/" + pool).then().statusCode(200).body("subscriptionId", equalTo(a.id()));
        a.as().get("/workspaces/" + a.id() + "/pools").then().statusCode(200).body("poolId", containsInAnyOrder(pool));
        a.as().body(Map.of("vmCount", 3)).post("/workspaces/" + a.id() + "/pools/" + pool + "/resize")
                .then().statusCode(202).body("targetVms", equalTo(3));
    }

    @Test
    void deletingAPoolFreesItsQuotaSlot() {
        Account a = newAccount(1, 5);
        String first = newPool(a, 1);
        a.as().body(Map.of("vmCount", 1, "billingPlanId", "p")).post(a.pools()).then().statusCode(403)
                .body("error.code", equalTo("QuotaExceeded"));
        a.as().delete(a.pools() + "/" + first).then().statusCode(202);
        newPool(a, 1);
        assertThat(a.as().get(a.pools()).then().extract().jsonPath().getList("state")).containsExactlyInAnyOrder(
                "Deleting", "Active");
    }

    @Test
    void openApiIsPublished() {
        io.restassured.RestAssured.given().accept(ContentType.JSON).get("/q/openapi?format=json").then()
                .statusCode(200).body("paths.keySet()", org.hamcrest.Matchers.hasItem(
                        "/{scope}/{subscriptionId}/pools/{poolId}/resize"));
    }
}
