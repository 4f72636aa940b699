package io.batchpool.gateway.it;

import io.agroal.api.AgroalDataSource;
import io.batchpool.gateway.it.JobApiTest.Service;
import io.batchpool.testkit.HttpSurface;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.batchpool.gateway.it.GatewayTestSupport.newPool;
import static io.batchpool.gateway.it.GatewayTestSupport.outboxSequence;
import static io.batchpool.gateway.it.JobApiTest.newService;
import static io.batchpool.gateway.it.JobApiTest.request;
import static io.batchpool.gateway.it.JobApiTest.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A second account's keys (its account key and its web service's API key) against each kind of resource of the first
 * account: its account (operator API), pools, web services, jobs, usage, metrics. Every call is a 401 (a key that is
 * not a key of that subscription or service), a 404 (the resource is not one of the caller's) or a 403, with the
 * JSON error body, and changes nothing: the first account's rows and the outbox are byte for byte the same.
 * Internal endpoints (pool-manager, job-dispatcher, billing-meter, vm-agent) need the operator key: their
 * InternalHttpSurfaceTest and e2e InternalSurfaceE2ETest prove an account key is refused there. Local files and
 * their signed links: see LocalFilesTest (per-account file roots and links).
 */
@QuarkusTest
class CrossTenantTest {
    @Inject
    AgroalDataSource db;

    record Call(String name, String method, String path, String key, String body, int... statuses) {
    }

    @Test
    void anotherAccountsKeysReachNothingOfThisAccountAndChangeNothing() {
        Service a = newService(List.of());
        String poolA = newPool(a.account(), 1);
        String jobA = submit(a, request(null));
        Service b = newService(List.of());
        String poolB = newPool(b.account(), 1);
        String idA = a.account().id();
        String idB = b.account().id();
        String bAccount = b.account().key();
        String bService = b.key();

        List<Call> calls = new ArrayList<>();
        // account (operator API): an account key is never the operator key
        for (String key : new String[]{bAccount, bService}) {
            calls.add(new Call("get account", "GET", "/operator/accounts/" + idA, key, null, 401));
            calls.add(new Call("list accounts", "GET", "/operator/accounts", key, null, 401));
            calls.add(new Call("raise quota", "PATCH", "/operator/accounts/" + idA, key, "{\"maxPools\":9}", 401));
            calls.add(new Call("rotate key", "POST", "/operator/accounts/" + idA + "/rotate-key", key, null, 401));
            calls.add(new Call("disable", "POST", "/operator/accounts/" + idA + "/disable", key, null, 401));
            calls.add(new Call("create account", "POST", "/operator/accounts", key,
                    "{\"name\":\"x\",\"maxPools\":1,\"maxVmsPerPool\":1}", 401));
        }
        // pools: under A's subscription B's key is not a key (401); under B's, A's pool does not exist (404)
        String poolsA = "/subscriptions/" + idA + "/pools";
        String poolsB = "/subscriptions/" + idB + "/pools";
        for (String pools : new String[]{poolsA, "/workspaces/" + idA + "/pools"}) {
            calls.add(new Call("list pools", "GET", pools, bAccount, null, 401));
            calls.add(new Call("create pool", "POST", pools, bAccount, "{\"vmCount\":1,\"billingPlanId\":\"p\"}", 401));
            calls.add(new Call("get pool", "GET", pools + "/" + poolA, bAccount, null, 401));
            calls.add(new Call("resize pool", "POST", pools + "/" + poolA + "/resize", bAccount, "{\"vmCount\":0}", 401));
            calls.add(new Call("patch pool", "PATCH", pools + "/" + poolA, bAccount, "{\"vmCount\":0}", 401));
            calls.add(new Call("delete pool", "DELETE", pools + "/" + poolA, bAccount, null, 401));
            calls.add(new Call("get pool, service key", "GET", pools + "/" + poolA, bService, null, 401));
        }
        calls.add(new Call("A's pool under B", "GET", poolsB + "/" + poolA, bAccount, null, 404));
        calls.add(new Call("resize A's pool under B", "POST", poolsB + "/" + poolA + "/resize", bAccount,
                "{\"vmCount\":0}", 404));
        calls.add(new Call("patch A's pool under B", "PATCH", poolsB + "/" + poolA, bAccount, "{\"vmCount\":0}", 404));
        calls.add(new Call("delete A's pool under B", "DELETE", poolsB + "/" + poolA, bAccount, null, 404));
        // web services
        String servicesA = "/subscriptions/" + idA + "/services";
        String servicesB = "/subscriptions/" + idB + "/services";
        calls.add(new Call("list services", "GET", servicesA, bAccount, null, 401));
        calls.add(new Call("get service", "GET", servicesA + "/" + a.id(), bAccount, null, 401));
        calls.add(new Call("replace model", "PUT", servicesA + "/" + a.id() + "/model", bAccount, "{\"model\":\"AA==\"}", 401));
        calls.add(new Call("rotate service key", "POST", servicesA + "/" + a.id() + "/keys/rotate?key=primary", bAccount, null, 401));
        calls.add(new Call("delete service", "DELETE", servicesA + "/" + a.id(), bAccount, null, 401));
        calls.add(new Call("swagger, B's account key", "GET", servicesA + "/" + a.id() + "/swagger.json", bAccount, null, 401));
        calls.add(new Call("swagger, B's service key", "GET", servicesA + "/" + a.id() + "/swagger.json", bService, null, 401));
        calls.add(new Call("A's service under B", "GET", servicesB + "/" + a.id(), bAccount, null, 404));
        calls.add(new Call("A's model under B", "PUT", servicesB + "/" + a.id() + "/model", bAccount, "{\"model\":\"AA==\"}", 404));
        calls.add(new Call("A's key rotation under B", "POST", servicesB + "/" + a.id() + "/keys/rotate?key=primary", bAccount, null, 404));
        calls.add(new Call("delete A's service under B", "DELETE", servicesB + "/" + a.id(), bAccount, null, 404));
        calls.add(new Call("A's swagger under B", "GET", servicesB + "/" + a.id() + "/swagger.json", bAccount, null, 401, 404));
        // jobs: B's keys on A's Batch Requests URL (401), A's job under B's service (404), A's pool from B's job (404)
        String jobsA = a.jobs() + "?api-version=2.0";
        String jobA_ = a.jobs() + "/" + jobA;
        String jobsB = b.jobs();
        for (String key : new String[]{bService, bAccount}) {
            calls.add(new Call("submit to A", "POST", jobsA, key, json(request(null)), 401));
            calls.add(new Call("list A's jobs", "GET", jobsA, key, null, 401));
            calls.add(new Call("status of A's job", "GET", jobA_ + "?api-version=2.0", key, null, 401));
            calls.add(new Call("start A's job", "POST", jobA_ + "/start?api-version=2.0", key, null, 401));
            calls.add(new Call("cancel A's job", "DELETE", jobA_ + "?api-version=2.0", key, null, 401));
        }
        calls.add(new Call("A's job under B", "GET", jobsB + "/" + jobA + "?api-version=2.0", bService, null, 404));
        calls.add(new Call("start A's job under B", "POST", jobsB + "/" + jobA + "/start?api-version=2.0", bService, null, 404));
        calls.add(new Call("cancel A's job under B", "DELETE", jobsB + "/" + jobA + "?api-version=2.0", bService, null, 404));
        calls.add(new Call("B's job on A's pool", "POST", jobsB + "?api-version=2.0", bService, json(request(poolA)), 404));
        calls.add(new Call("B's service on A's pool by swagger URL", "POST", poolsB, bAccount,
                "{\"vmCount\":1,\"serviceUrl\":\"http://127.0.0.1:8080" + servicesA + "/" + a.id() + "/swagger.json\"}", 400, 404));
        // usage: the account's usage is the operator's (the billing API is internal: see InternalHttpSurfaceTest)
        calls.add(new Call("A's usage", "GET", "/operator/accounts/" + idA, bAccount, null, 401));
        // metrics
        calls.add(new Call("metrics, account key", "GET", "/q/metrics", bAccount, null, 401));
        calls.add(new Call("metrics, service key", "GET", "/q/metrics", bService, null, 401));

        String before = state(idA, a.id(), poolA);
        long outbox = outboxSequence(db);
        SoftAssertions soft = new SoftAssertions();
        for (Call c : calls) {
            RequestSpecification spec = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + c.key());
            if (c.body() != null) {
                spec.contentType("application/json").body(c.body());
            }
            Response r = spec.request(c.method(), c.path());
            soft.assertThat(r.statusCode()).as(c.name() + " " + c.method() + " " + c.path() + ": " + r.asString())
                    .isIn(boxed(c.statuses()));
            HttpSurface.expectError(soft, c.name(), r, r.statusCode(), r.jsonPath().getString("error.code"));
        }
        soft.assertAll();
        assertThat(outboxSequence(db)).as("no command was written").isEqualTo(outbox);
        assertThat(state(idA, a.id(), poolA)).as("A's account, pool, service and job rows are unchanged")
                .isEqualTo(before);
        // and A's keys still work
        a.as().get(jobA_).then().statusCode(200);
        given().header("Authorization", "Bearer " + a.account().key()).get(poolsA + "/" + poolA).then().statusCode(200);
        assertThat(poolB).isNotEqualTo(poolA);
    }

    private static Object[] boxed(int[] statuses) {
        Object[] out = new Object[statuses.length];
        for (int i = 0; i < statuses.length; i++) {
            out[i] = statuses[i];
        }
        return out;
    }

    private static String json(Map<String, Object> body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every row of account A: the account, its pools, web services, versions and jobs, as text. */
    private String state(String accountId, String serviceId, String poolId) {
        return text("select string_agg(t::text, '|' order by t::text) from account t where id = '" + accountId + "'")
                + text("select string_agg(t::text, '|' order by t::text) from pool t where account_id = '" + accountId + "'")
                + text("select string_agg(t::text, '|' order by t::text) from web_service t where account_id = '" + accountId + "'")
                + text("select string_agg(t::text, '|' order by t::text) from web_service_version t where service_id = '" + serviceId + "'")
                + text("select string_agg(t::text, '|' order by t::text) from job t where account_id = '" + accountId + "'")
                + poolId;
    }

    private String text(String sql) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1) + "\n";
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
