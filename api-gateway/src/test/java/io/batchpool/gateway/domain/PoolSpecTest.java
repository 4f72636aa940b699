package io.batchpool.gateway.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class PoolSpecTest {
    private static final String SID = "0123456789abcdef0123456789abcdef";
    private static final String SVC = "8dfc151b0d3e446497b845f3b29ef53b";
    private static final String GOOD_URL = "https://bp.example.com/subscriptions/" + SID + "/services/" + SVC + "/swagger.json";

    static Stream<Arguments> requests() {
        return Stream.of(
                // vmCount, billingPlanId, serviceUrl, slotsPerVm, name, expected
                arguments(2, "plan-1", null, null, null, "ok"),
                arguments(0, "a.b_c-D9", null, 64, "nightly scoring", "ok"),
                arguments(10000, "p", null, 1, null, "ok"),
                arguments(3, null, GOOD_URL, null, null, "ok"),
                arguments(3, null, "http://h:8080/workspaces/" + SID + "/services/" + SVC + "/swagger.json", null, null, "ok"),
                arguments(null, "p", null, null, null, "InvalidRequest"),
                arguments(-1, "p", null, null, null, "InvalidRequest"),
                arguments(10001, "p", null, null, null, "InvalidRequest"),
                arguments(Integer.MAX_VALUE, "p", null, null, null, "InvalidRequest"),
                arguments(1, null, null, null, null, "InvalidRequest"),
                arguments(1, "p", GOOD_URL, null, null, "InvalidRequest"),
                arguments(1, "", null, null, null, "InvalidRequest"),
                arguments(1, "plan with space", null, null, null, "InvalidRequest"),
                arguments(1, "x".repeat(65), null, null, null, "InvalidRequest"),
                arguments(1, "p", null, 0, null, "InvalidRequest"),
                arguments(1, "p", null, 65, null, "InvalidRequest"),
                arguments(1, "p", null, null, "x".repeat(129), "InvalidRequest"),
                arguments(1, "p", null, null, "nul\u0000byte", "InvalidRequest"),
                arguments(1, "p", null, null, "  ", "InvalidRequest"),
                arguments(1, null, "ftp://h/subscriptions/" + SID + "/services/" + SVC + "/swagger.json", null, null, "InvalidServiceUrl"),
                arguments(1, null, "https://h/subscriptions/" + SID + "/services/" + SVC + "/help", null, null, "InvalidServiceUrl"),
                arguments(1, null, "https://h/subscriptions/NOTHEX/services/" + SVC + "/swagger.json", null, null, "InvalidServiceUrl"),
                arguments(1, null, "not a url at all", null, null, "InvalidServiceUrl"),
                arguments(1, null, "/subscriptions/" + SID + "/services/" + SVC + "/swagger.json", null, null, "InvalidServiceUrl"));
    }

    @ParameterizedTest(name = "[{index}] vmCount={0} plan={1} url={2} slots={3} -> {5}")
    @MethodSource("requests")
    void check(Integer vmCount, String plan, String url, Integer slots, String name, String expected) {
        Checked<PoolSpec> checked = PoolSpec.check(vmCount, plan, url, slots, name);
        String outcome = checked instanceof Checked.Rejected<PoolSpec> r ? r.rejection().code().name() : "ok";
        assertThat(outcome).isEqualTo(expected);
    }

    @Test
    void defaultsOneSlotPerVmAndParsesTheServiceUrl() {
        PoolSpec spec = ((Checked.Ok<PoolSpec>) PoolSpec.check(3, null, GOOD_URL, null, null)).value();
        assertThat(spec.slotsPerVm()).isEqualTo(1);
        assertThat(spec.serviceUrl()).isEqualTo(new ServiceUrl(SID, SVC));
    }

    @ParameterizedTest
    @MethodSource("limits")
    void accountLimits(Integer maxPools, Integer maxVms, boolean valid) {
        assertThat(AccountLimits.validate(maxPools, maxVms).isEmpty()).isEqualTo(valid);
    }

    static Stream<Arguments> limits() {
        return Stream.of(arguments(0, 0, true), arguments(1000, 10000, true), arguments(null, null, true),
                arguments(1001, 1, false), arguments(-1, 1, false), arguments(1, 10001, false),
                arguments(1, -5, false));
    }

    @Test
    void keysAreRandomAndOnlyTheirHashIsCompared() {
        String a = AccountKeys.newKey();
        String b = AccountKeys.newKey();
        assertThat(a).isNotEqualTo(b).matches("[A-Za-z0-9_-]{43}");
        assertThat(AccountKeys.hash(a)).hasSize(64).isEqualTo(AccountKeys.hash(a)).isNotEqualTo(AccountKeys.hash(b));
        assertThat(AccountKeys.matches("k", "k")).isTrue();
        assertThat(AccountKeys.matches("k", "K")).isFalse();
        assertThat(AccountKeys.matches(null, "k")).isFalse();
    }
}
