package io.batchpool.gateway.domain;

import io.batchpool.gateway.domain.WebServiceSpec.RawParameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class WebServiceSpecTest {

    static Stream<Arguments> rejected() {
        RawParameter ok = new RawParameter("Threshold", "0.5");
        return Stream.of(
                Arguments.of("missing name", null, "new", "plan", List.of(), "name is required"),
                Arguments.of("blank name", " ", "new", "plan", List.of(), "name must be"),
                Arguments.of("long name", "n".repeat(129), "new", "plan", List.of(), "name must be"),
                Arguments.of("missing kind", "s", null, "plan", List.of(), "kind is required"),
                Arguments.of("unknown kind", "s", "premium", "plan", List.of(), "kind must be"),
                Arguments.of("classic with plan", "s", "classic", "plan", List.of(), "classic web service has no billing plan"),
                Arguments.of("new without plan", "s", "new", null, List.of(), "needs a billingPlanId"),
                Arguments.of("bad plan", "s", "new", "a b", List.of(), "billingPlanId must be"),
                Arguments.of("null parameter", "s", "new", "plan", Arrays.asList(ok, null), "parameters[1] must be an object"),
                Arguments.of("parameter without name", "s", "new", "plan", List.of(new RawParameter(null, "x")), "parameters[0].name is required"),
                Arguments.of("empty parameter name", "s", "new", "plan", List.of(new RawParameter("", null)), "parameters[0].name must be"),
                Arguments.of("leading space", "s", "new", "plan", List.of(new RawParameter(" x", null)), "parameters[0].name must be"),
                Arguments.of("slash in name", "s", "new", "plan", List.of(new RawParameter("a/b", null)), "parameters[0].name must be"),
                Arguments.of("65 characters", "s", "new", "plan", List.of(new RawParameter("p".repeat(65), null)), "parameters[0].name must be"),
                Arguments.of("duplicate", "s", "new", "plan", List.of(ok, new RawParameter("threshold", null)), "given twice"),
                Arguments.of("control character default", "s", "new", "plan", List.of(new RawParameter("a", "x\ny")), "default must be"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejects(String label, String name, String kind, String plan, List<RawParameter> parameters, String message) {
        Checked<WebServiceSpec> checked = WebServiceSpec.check(name, kind, plan, parameters);
        assertThat(checked).isInstanceOf(Checked.Rejected.class);
        Rejection r = ((Checked.Rejected<WebServiceSpec>) checked).rejection();
        assertThat(r.code()).isEqualTo(ErrorCode.InvalidRequest);
        assertThat(r.message()).contains(message);
    }

    @Test
    void acceptsClassicAndNew() {
        Checked<WebServiceSpec> classic = WebServiceSpec.check("census", "Classic", null, null);
        assertThat(((Checked.Ok<WebServiceSpec>) classic).value())
                .isEqualTo(new WebServiceSpec("census", ServiceKind.CLASSIC, null, List.of()));
        Checked<WebServiceSpec> fresh = WebServiceSpec.check("census", "new", "plan-1",
                List.of(new RawParameter("Database query", "select 1"), new RawParameter("Threshold", null)));
        WebServiceSpec spec = ((Checked.Ok<WebServiceSpec>) fresh).value();
        assertThat(spec.kind()).isEqualTo(ServiceKind.NEW);
        assertThat(spec.parameters()).extracting(ServiceParameter::required).containsExactly(false, true);
    }

    @Test
    @SuppressWarnings("unchecked")
    void swaggerNamesTheBatchRequestsUrlSchemasColumnsAndPlan() {
        ServiceSwagger.Service service = new ServiceSwagger.Service("https://bp.example:8443/", "a".repeat(32),
                "b".repeat(32), "census", ServiceKind.NEW, "plan-9", 3,
                List.of(new ModelInput("age", "numeric"), new ModelInput("workclass", "categorical")),
                List.of(new ServiceParameter("Threshold", null)));
        Map<String, Object> doc = ServiceSwagger.describe(service);
        String jobs = "/subscriptions/" + "a".repeat(32) + "/services/" + "b".repeat(32) + "/jobs";
        assertThat(doc).containsEntry("swagger", "2.0").containsEntry("host", "bp.example:8443")
                .containsEntry("x-batchpool-billing-plan", "plan-9")
                .containsEntry("x-batchpool-batch-requests-url", "https://bp.example:8443" + jobs + "?api-version=2.0");
        assertThat((Map<String, Object>) doc.get("paths")).containsKeys(jobs, jobs + "/{jobId}", jobs + "/{jobId}/start");
        Map<String, Map<String, Object>> defs = (Map<String, Map<String, Object>>) doc.get("definitions");
        assertThat((Map<String, Object>) defs.get("BatchExecutionRequest").get("properties"))
                .containsOnlyKeys("Inputs", "Input", "Outputs", "GlobalParameters", "AzureBatchPoolId");
        assertThat((Map<String, Object>) defs.get("BatchScoreStatus").get("properties"))
                .containsOnlyKeys("StatusCode", "Results", "Details");
        assertThat((Map<String, Object>) defs.get("AzureBlobDataReference").get("properties"))
                .containsOnlyKeys("ConnectionString", "RelativeLocation", "BaseLocation", "SasBlobToken");
        assertThat((Map<String, Object>) defs.get("InputRow").get("properties"))
                .containsExactly(Map.entry("age", Map.of("type", "number", "format", "float")),
                        Map.entry("workclass", Map.of("type", "string")));

        Map<String, Object> classic = ServiceSwagger.describe(new ServiceSwagger.Service("http://h", "a".repeat(32),
                "b".repeat(32), "c", ServiceKind.CLASSIC, null, 1, List.of(), List.of()));
        assertThat(classic).doesNotContainKey("x-batchpool-billing-plan").containsEntry("basePath", "/");
    }
}
