package io.batchpool.gateway.it;

import io.batchpool.gateway.it.GatewayTestSupport.Account;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newAccount;
import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static io.batchpool.gateway.it.GatewayTestSupport.operator;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class OperatorApiTest {

    @Test
    void createAccountReturnsKeyOnceAndPoolServiceUrl() {
        Response created = operator().body(Map.of("name", "Contoso", "maxPools", 3, "maxVmsPerPool", 20))
                .post("/operator/accounts");
        created.then().statusCode(201)
                .body("accountId", matchesPattern("[0-9a-f]{32}"))
                .body("name", equalTo("Contoso"))
                .body("maxPools", equalTo(3))
                .body("maxVmsPerPool", equalTo(20))
                .body("disabled", equalTo(false))
                .body("createdAt", notNullValue())
                .body("authorizationKey", matchesPattern("[A-Za-z0-9_-]{43}"));
        String id = created.path("accountId");
        assertThat(created.<String>path("poolServiceUrl")).isEqualTo("http://127.0.0.1:8080/subscriptions/" + id);

        operator().get("/operator/accounts/" + id).then().statusCode(200)
                .body("accountId", equalTo(id))
                .body("authorizationKey", nullValue())
                .body("usage.pools", equalTo(0))
                .body("usage.vmsTargeted", equalTo(0));
        operator().get("/operator/accounts").then().statusCode(200)
                .body("accountId", hasItem(id))
                .body("authorizationKey", org.hamcrest.Matchers.everyItem(nullValue()));
    }

    @Test
    void usageCountsActivePoolsAndTheirVms() {
        Account a = newAccount(5, 10);
        newPool(a, 3);
        newPool(a, 4);
        String deleted = newPool(a, 2);
        a.as().delete(a.pools() + "/" + deleted).then().statusCode(202);

        operator().get("/operator/accounts/" + a.id()).then().statusCode(200)
                .body("usage.pools", equalTo(2))
                .body("usage.vmsTargeted", equalTo(7));
    }

    @Test
    void patchRaisesQuotasAndTheyApplyAtOnce() {
        Account a = newAccount(1, 2);
        a.as().body(Map.of("vmCount", 5, "billingPlanId", "p")).post(a.pools())
                .then().statusCode(403).body("error.code", equalTo("QuotaExceeded"));

        operator().body(Map.of("maxVmsPerPool", 5)).patch("/operator/accounts/" + a.id()).then().statusCode(200)
                .body("maxPools", equalTo(1)).body("maxVmsPerPool", equalTo(5));
        a.as().body(Map.of("vmCount", 5, "billingPlanId", "p")).post(a.pools()).then().statusCode(201);

        operator().body(Map.of("maxPools", 0, "maxVmsPerPool", 1)).patch("/operator/accounts/" + a.id())
                .then().statusCode(200).body("maxPools", equalTo(0)).body("usage.pools", equalTo(1));
    }

    @Test
    void rotatedKeyReplacesTheOldOneAtOnce() {
        Account a = newAccount(2, 2);
        a.as().get(a.pools()).then().statusCode(200);

        String newKey = operator().post("/operator/accounts/" + a.id() + "/rotate-key")
                .then().statusCode(200).extract().path("authorizationKey");
        assertThat(newKey).isNotEqualTo(a.key());

        a.as().get(a.pools()).then().statusCode(401).body("error.code", equalTo("Unauthorized"));
        new Account(a.id(), newKey).as().get(a.pools()).then().statusCode(200);
    }

    @Test
    void disabledAccountGets403UntilEnabled() {
        Account a = newAccount(2, 2);
        String pool = newPool(a, 1);
        operator().post("/operator/accounts/" + a.id() + "/disable").then().statusCode(200)
                .body("disabled", equalTo(true));

        a.as().get(a.pools()).then().statusCode(403).body("error.code", equalTo("AccountDisabled"));
        a.as().body(Map.of("vmCount", 2)).post(a.pools() + "/" + pool + "/resize")
                .then().statusCode(403).body("error.code", equalTo("AccountDisabled"));

        operator().post("/operator/accounts/" + a.id() + "/enable").then().statusCode(200)
                .body("disabled", equalTo(false));
        a.as().get(a.pools() + "/" + pool).then().statusCode(200).body("targetVms", equalTo(1));
    }

    @Test
    void operatorApiRejectsBadKeysAndBadQuotas() {
        given().get("/operator/accounts").then().statusCode(401).body("error.code", equalTo("Unauthorized"));
        given().header("Authorization", "Bearer nope").get("/operator/accounts")
                .then().statusCode(401).body("error.code", equalTo("Unauthorized"));
        Account a = newAccount(1, 1);
        // an account key is not an operator key
        given().header("Authorization", "Bearer " + a.key()).get("/operator/accounts").then().statusCode(401);

        Object[][] bad = {
                {Map.of("name", "x", "maxPools", 1001, "maxVmsPerPool", 1)},
                {Map.of("name", "x", "maxPools", -1, "maxVmsPerPool", 1)},
                {Map.of("name", "x", "maxPools", 1, "maxVmsPerPool", 10001)},
                {Map.of("name", "x", "maxPools", "3", "maxVmsPerPool", 1)},
                {Map.of("name", "x", "maxPools", 1)},
                {Map.of("maxPools", 1, "maxVmsPerPool", 1)},
                {Map.of("name", "", "maxPools", 1, "maxVmsPerPool", 1)},
                {Map.of("name", 7, "maxPools", 1, "maxVmsPerPool", 1)},
        };
        long before = operator().get("/operator/accounts").then().extract().jsonPath().getList("$").size();
        for (Object[] body : bad) {
            operator().body(body[0]).post("/operator/accounts").then().statusCode(400)
                    .body("error.code", equalTo("InvalidRequest")).body("error.message", notNullValue());
        }
        assertThat(operator().get("/operator/accounts").then().extract().jsonPath().getList("$")).hasSize((int) before);

        operator().body(Map.of()).patch("/operator/accounts/" + a.id()).then().statusCode(400);
        operator().body(Map.of("maxVmsPerPool", 10001)).patch("/operator/accounts/" + a.id()).then().statusCode(400);
        operator().get("/operator/accounts/" + a.id()).then().body("maxVmsPerPool", equalTo(1));

        operator().get("/operator/accounts/0123456789abcdef0123456789abcdef").then().statusCode(404)
                .body("error.code", equalTo("AccountNotFound"));
        operator().post("/operator/accounts/not-an-id/disable").then().statusCode(404)
                .body("error.code", equalTo("AccountNotFound"));
    }
}
