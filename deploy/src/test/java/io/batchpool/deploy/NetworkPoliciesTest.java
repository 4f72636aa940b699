package io.batchpool.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.batchpool.deploy.Manifests.BASE;
import static io.batchpool.deploy.Manifests.LOCAL;
import static io.batchpool.deploy.Manifests.PRODUCTION;
import static io.batchpool.deploy.Manifests.build;
import static io.batchpool.deploy.Manifests.name;
import static io.batchpool.deploy.Manifests.ofKind;
import static io.batchpool.deploy.Manifests.one;
import static io.batchpool.deploy.Manifests.stream;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only what must talk to a service can: the gateway's port is open to clients; an internal service's HTTP port (its
 * operator-key API and metrics) admits only a metrics scraper's namespace; the services listen on every interface of
 * their pod (their default is 127.0.0.1) and read the operator key; the local PostgreSQL admits the two services that
 * own a database, the local Kafka listener Batchpool's pods.
 */
class NetworkPoliciesTest {
    static final List<String> INTERNAL = List.of("pool-manager", "job-dispatcher", "billing-meter", "vm-agent");

    @Test
    void every_service_pod_is_selected_by_an_ingress_policy_in_every_build() {
        for (Path dir : List.of(BASE, LOCAL, PRODUCTION)) {
            List<ObjectNode> resources = build(dir);
            for (ObjectNode deployment : ofKind(resources, "Deployment")) {
                JsonNode labels = deployment.path("spec").path("template").path("metadata").path("labels");
                List<ObjectNode> selecting = ofKind(resources, "NetworkPolicy").stream()
                        .filter(p -> selects(p.path("spec").path("podSelector"), labels)).toList();
                assertThat(selecting).as("policies selecting %s in %s", name(deployment), dir.getFileName()).hasSize(1);
                assertThat(stream(selecting.get(0).path("spec").path("policyTypes")).map(JsonNode::asText))
                        .contains("Ingress");
            }
        }
    }

    @Test
    void the_gateway_admits_any_client_on_its_http_port_only() {
        JsonNode ingress = one(build(BASE), "NetworkPolicy", "api-gateway").path("spec").path("ingress");
        assertThat(ingress).hasSize(1);
        assertThat(ingress.path(0).has("from")).as("no 'from': any client").isFalse();
        assertThat(stream(ingress.path(0).path("ports")).map(p -> p.path("port").asText())).containsExactly("http");
    }

    @Test
    void an_internal_service_admits_only_a_metrics_scraper_on_its_http_port() {
        List<ObjectNode> base = build(BASE);
        for (String module : INTERNAL) {
            JsonNode ingress = one(base, "NetworkPolicy", module).path("spec").path("ingress");
            assertThat(ingress).as(module).hasSize(1);
            JsonNode from = ingress.path(0).path("from");
            assertThat(from).as("sources of %s", module).hasSize(1);
            assertThat(from.path(0).path("namespaceSelector").path("matchLabels").path("batchpool.io/metrics-scraper")
                    .asText()).as(module).isEqualTo("true");
            assertThat(from.path(0).has("podSelector")).as(module).isFalse();
            assertThat(stream(ingress.path(0).path("ports")).map(p -> p.path("port").asText())).containsExactly("http");
        }
    }

    @Test
    void services_listen_on_the_pod_network_and_internal_ones_read_the_operator_key() {
        List<ObjectNode> base = build(BASE);
        for (String module : WorkloadsTest.SERVICES.keySet()) {
            assertThat(one(base, "ConfigMap", module + "-config").path("data").path("QUARKUS_HTTP_HOST").asText())
                    .as("QUARKUS_HTTP_HOST of %s", module).isEqualTo("0.0.0.0");
            JsonNode env = one(base, "Deployment", module).path("spec").path("template").path("spec")
                    .path("containers").path(0).path("env");
            JsonNode key = stream(env).filter(e -> e.path("name").asText().equals("BATCHPOOL_OPERATOR_KEY"))
                    .findFirst().orElse(null);
            if (INTERNAL.contains(module) || module.equals("api-gateway")) {
                assertThat(key).as("operator key of %s", module).isNotNull();
                assertThat(key.path("valueFrom").path("secretKeyRef").path("key").asText()).isEqualTo("operator-key");
            }
        }
    }

    @Test
    void local_postgres_admits_the_gateway_and_billing_and_kafka_only_batchpool_pods() {
        List<ObjectNode> local = build(LOCAL);
        JsonNode postgres = one(local, "NetworkPolicy", "batchpool-postgres").path("spec");
        assertThat(stream(postgres.path("ingress").path(0).path("from"))
                .map(f -> f.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText()))
                .containsExactlyInAnyOrder("api-gateway", "billing-meter");
        JsonNode listener = one(local, "Kafka", "batchpool").path("spec").path("kafka").path("listeners").path(0);
        assertThat(listener.path("networkPolicyPeers").path(0).path("podSelector").path("matchLabels")
                .path("app.kubernetes.io/part-of").asText()).isEqualTo("batchpool");
    }

    private static boolean selects(JsonNode podSelector, JsonNode labels) {
        JsonNode match = podSelector.path("matchLabels");
        if (match.isMissingNode() || match.isEmpty()) {
            return true;
        }
        var fields = match.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }
}
