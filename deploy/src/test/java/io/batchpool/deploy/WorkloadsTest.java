package io.batchpool.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.batchpool.deploy.Manifests.BASE;
import static io.batchpool.deploy.Manifests.LOCAL;
import static io.batchpool.deploy.Manifests.PRODUCTION;
import static io.batchpool.deploy.Manifests.build;
import static io.batchpool.deploy.Manifests.kind;
import static io.batchpool.deploy.Manifests.name;
import static io.batchpool.deploy.Manifests.ofKind;
import static io.batchpool.deploy.Manifests.one;
import static org.assertj.core.api.Assertions.assertThat;

/** Deployments, Services, RBAC and the references between them, in the base and in each overlay's build. */
class WorkloadsTest {
    /** Every service module and its HTTP port (the house convention). */
    static final Map<String, Integer> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("api-gateway", 8080);
        SERVICES.put("pool-manager", 8081);
        SERVICES.put("job-dispatcher", 8082);
        SERVICES.put("billing-meter", 8083);
        SERVICES.put("vm-agent", 8084);
    }

    /** Secrets the production overlay expects to exist already (created out of band, see deploy/README.md). */
    static final Set<String> EXTERNAL_SECRETS = Set.of("batchpool-secrets", "batchpool-gateway-db", "batchpool-billing-db");

    static final List<Path> BUILDS = List.of(BASE, LOCAL, PRODUCTION);

    @Test
    void every_service_has_a_deployment_and_a_service_on_its_port() {
        List<ObjectNode> base = build(BASE);
        assertThat(ofKind(base, "Deployment").stream().map(Manifests::name).toList())
                .containsExactlyInAnyOrderElementsOf(SERVICES.keySet());
        SERVICES.forEach((module, port) -> {
            JsonNode container = onlyContainer(one(base, "Deployment", module));
            assertThat(container.path("image").asText()).isEqualTo("batchpool/" + module + ":0.1.0");
            assertThat(container.path("ports").path(0).path("containerPort").asInt()).as("port of %s", module).isEqualTo(port);
            JsonNode service = one(base, "Service", module);
            assertThat(service.path("spec").path("ports").path(0).path("port").asInt()).as("Service port of %s", module)
                    .isEqualTo(port);
            assertThat(one(base, "ConfigMap", module + "-config").path("data").path("QUARKUS_HTTP_PORT").asText())
                    .as("QUARKUS_HTTP_PORT of %s", module).isEqualTo(String.valueOf(port));
        });
    }

    @Test
    void every_deployment_probes_health_on_its_port_and_has_resource_limits() {
        for (Path dir : BUILDS) {
            for (ObjectNode deployment : ofKind(build(dir), "Deployment")) {
                String where = name(deployment) + " in " + dir.getFileName();
                JsonNode container = onlyContainer(deployment);
                assertThat(probe(container, "livenessProbe")).as("liveness of %s", where).isEqualTo("/q/health/live");
                assertThat(probe(container, "readinessProbe")).as("readiness of %s", where).isEqualTo("/q/health/ready");
                for (String probe : List.of("livenessProbe", "readinessProbe")) {
                    JsonNode port = container.path(probe).path("httpGet").path("port");
                    assertThat(containerPort(container, port)).as("%s port of %s", probe, where).isPositive();
                }
                JsonNode resources = container.path("resources");
                for (String section : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        assertThat(resources.path(section).path(resource).asText())
                                .as("%s.%s of %s", section, resource, where).isNotBlank();
                    }
                }
                JsonNode selector = deployment.path("spec").path("selector").path("matchLabels");
                assertThat(selects(selector, podLabels(deployment))).as("selector of %s matches its pods", where).isTrue();
            }
        }
    }

    @Test
    void every_deployment_runs_as_non_root_without_privilege_escalation() {
        for (Path dir : BUILDS) {
            for (ObjectNode deployment : ofKind(build(dir), "Deployment")) {
                JsonNode pod = deployment.path("spec").path("template").path("spec");
                JsonNode container = onlyContainer(deployment);
                assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name(deployment)).isTrue();
                assertThat(pod.path("securityContext").path("runAsUser").asInt()).as(name(deployment)).isPositive();
                assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true))
                        .as(name(deployment)).isFalse();
                assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean())
                        .as(name(deployment)).isTrue();
                assertThat(Manifests.stream(container.path("securityContext").path("capabilities").path("drop"))
                        .map(JsonNode::asText).toList()).as(name(deployment)).contains("ALL");
            }
        }
    }

    @Test
    void every_service_selects_the_pods_of_an_existing_workload_and_targets_their_port() {
        for (Path dir : BUILDS) {
            List<ObjectNode> resources = build(dir);
            for (ObjectNode service : ofKind(resources, "Service")) {
                JsonNode selector = service.path("spec").path("selector");
                assertThat(selector.size()).as("selector of Service %s", name(service)).isPositive();
                List<ObjectNode> selected = new ArrayList<>();
                for (ObjectNode workload : resources) {
                    boolean isWorkload = kind(workload).equals("Deployment")
                            || (kind(workload).equals("StatefulSet") && !dir.equals(BASE));
                    if (isWorkload && selects(selector, podLabels(workload))) {
                        selected.add(workload);
                    }
                }
                assertThat(selected).as("workloads selected by Service %s in %s", name(service), dir.getFileName())
                        .hasSize(1);
                JsonNode container = onlyContainer(selected.get(0));
                for (JsonNode port : service.path("spec").path("ports")) {
                    assertThat(containerPort(container, port.path("targetPort")))
                            .as("targetPort of Service %s", name(service)).isPositive();
                }
            }
            for (ObjectNode pdb : ofKind(resources, "PodDisruptionBudget")) {
                ObjectNode target = resources.stream().filter(r -> kind(r).equals("Deployment"))
                        .filter(d -> selects(pdb.path("spec").path("selector").path("matchLabels"), podLabels(d)))
                        .findFirst().orElseThrow(() -> new AssertionError("PDB " + name(pdb) + " selects nothing"));
                assertThat(pdb.path("spec").path("minAvailable").asInt())
                        .as("PDB %s must allow a disruption", name(pdb))
                        .isLessThan(target.path("spec").path("replicas").asInt());
            }
        }
    }

    @Test
    void every_config_map_and_secret_a_pod_reads_exists_with_the_key_it_reads() {
        for (Path dir : List.of(LOCAL, PRODUCTION)) {
            List<ObjectNode> resources = build(dir);
            for (ObjectNode workload : resources) {
                if (!kind(workload).equals("Deployment") && !kind(workload).equals("StatefulSet")) {
                    continue;
                }
                String where = name(workload) + " in " + dir.getFileName();
                JsonNode pod = workload.path("spec").path("template").path("spec");
                for (JsonNode container : pod.path("containers")) {
                    for (JsonNode from : container.path("envFrom")) {
                        if (from.has("configMapRef")) {
                            one(resources, "ConfigMap", from.path("configMapRef").path("name").asText());
                        }
                    }
                    for (JsonNode env : container.path("env")) {
                        JsonNode cm = env.path("valueFrom").path("configMapKeyRef");
                        if (!cm.isMissingNode()) {
                            assertThat(one(resources, "ConfigMap", cm.path("name").asText()).path("data")
                                    .has(cm.path("key").asText())).as("%s: %s", where, cm).isTrue();
                        }
                        JsonNode secret = env.path("valueFrom").path("secretKeyRef");
                        if (!secret.isMissingNode()) {
                            String secretName = secret.path("name").asText();
                            boolean defined = resources.stream()
                                    .anyMatch(r -> kind(r).equals("Secret") && name(r).equals(secretName));
                            if (dir.equals(PRODUCTION)) {
                                assertThat(defined).as("%s: production secrets are never in git", where).isFalse();
                                assertThat(EXTERNAL_SECRETS).as("%s: documented external secret", where).contains(secretName);
                            } else {
                                ObjectNode s = one(resources, "Secret", secretName);
                                assertThat(s.path("stringData").has(secret.path("key").asText())
                                        || s.path("data").has(secret.path("key").asText())).as("%s: %s", where, secret).isTrue();
                            }
                        }
                    }
                }
                for (JsonNode volume : pod.path("volumes")) {
                    if (volume.has("configMap")) {
                        one(resources, "ConfigMap", volume.path("configMap").path("name").asText());
                    }
                }
            }
        }
    }

    @Test
    void local_services_reach_the_in_namespace_kafka_and_postgres() {
        List<ObjectNode> local = build(LOCAL);
        for (ObjectNode deployment : ofKind(local, "Deployment")) {
            assertThat(deployment.path("spec").path("replicas").asInt()).as(name(deployment)).isEqualTo(1);
        }
        Set<String> services = new HashSet<>(ofKind(local, "Service").stream().map(Manifests::name).toList());
        for (String module : List.of("api-gateway", "billing-meter")) {
            String url = one(local, "ConfigMap", module + "-config").path("data").path("QUARKUS_DATASOURCE_JDBC_URL").asText();
            assertThat(url).as("JDBC URL of %s", module).startsWith("jdbc:postgresql://");
            assertThat(URI.create(url.substring("jdbc:".length())).getHost()).as("database host of %s", module).isIn(services);
        }
        assertThat(ofKind(local, "StatefulSet").stream().map(Manifests::name).toList()).contains("batchpool-postgres");
    }

    @Test
    void production_runs_two_gateways_and_takes_database_credentials_from_secrets() {
        List<ObjectNode> production = build(PRODUCTION);
        assertThat(one(production, "Deployment", "api-gateway").path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(ofKind(production, "PodDisruptionBudget").stream().map(Manifests::name).toList()).contains("api-gateway");
        assertThat(ofKind(production, "StatefulSet")).as("no in-cluster database in production").isEmpty();
        for (String module : List.of("api-gateway", "billing-meter")) {
            JsonNode env = onlyContainer(one(production, "Deployment", module)).path("env");
            for (String var : List.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")) {
                JsonNode entry = Manifests.stream(env).filter(e -> e.path("name").asText().equals(var)).findFirst()
                        .orElseThrow(() -> new AssertionError(module + " has no env " + var));
                assertThat(entry.path("valueFrom").path("secretKeyRef").path("name").asText()).as("%s %s", module, var)
                        .startsWith("batchpool-").endsWith("-db");
            }
        }
    }

    @Test
    void pool_manager_is_a_singleton_replaced_by_recreate_with_rights_on_statefulsets_and_pods() {
        for (Path dir : BUILDS) {
            ObjectNode poolManager = one(build(dir), "Deployment", "pool-manager");
            assertThat(poolManager.path("spec").path("replicas").asInt()).as(dir.toString()).isEqualTo(1);
            assertThat(poolManager.path("spec").path("strategy").path("type").asText()).as(dir.toString()).isEqualTo("Recreate");
            assertThat(poolManager.path("spec").path("template").path("spec").path("serviceAccountName").asText())
                    .isEqualTo("pool-manager");
        }
        List<ObjectNode> base = build(BASE);
        one(base, "ServiceAccount", "pool-manager");
        ObjectNode binding = ofKind(base, "RoleBinding").get(0);
        assertThat(binding.path("subjects").path(0).path("name").asText()).isEqualTo("pool-manager");
        assertThat(binding.path("subjects").path(0).path("kind").asText()).isEqualTo("ServiceAccount");
        ObjectNode role = one(base, "Role", binding.path("roleRef").path("name").asText());
        assertThat(verbs(role, "apps", "statefulsets")).contains("get", "list", "watch", "create", "patch", "delete");
        assertThat(verbs(role, "", "pods")).contains("get", "list", "watch", "delete");
        for (ObjectNode deployment : ofKind(base, "Deployment")) {
            if (!name(deployment).equals("pool-manager")) {
                assertThat(deployment.path("spec").path("template").path("spec").path("automountServiceAccountToken")
                        .asBoolean(true)).as("%s needs no API token", name(deployment)).isFalse();
            }
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    static JsonNode onlyContainer(JsonNode workload) {
        JsonNode containers = workload.path("spec").path("template").path("spec").path("containers");
        assertThat(containers.size()).as("containers of %s", name(workload)).isEqualTo(1);
        return containers.get(0);
    }

    static String probe(JsonNode container, String probe) {
        return container.path(probe).path("httpGet").path("path").asText();
    }

    /** The container port a probe or Service port refers to (by name or number), or -1 if it declares none such. */
    static int containerPort(JsonNode container, JsonNode port) {
        for (JsonNode declared : container.path("ports")) {
            if (port.isInt() ? declared.path("containerPort").asInt() == port.asInt()
                    : declared.path("name").asText().equals(port.asText())) {
                return declared.path("containerPort").asInt();
            }
        }
        return -1;
    }

    static JsonNode podLabels(JsonNode workload) {
        return workload.path("spec").path("template").path("metadata").path("labels");
    }

    static boolean selects(JsonNode selector, JsonNode labels) {
        if (selector.isEmpty()) {
            return false;
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        selector.fields().forEachRemaining(entries::add);
        return entries.stream().allMatch(e -> labels.path(e.getKey()).asText().equals(e.getValue().asText()));
    }

    static List<String> verbs(JsonNode role, String group, String resource) {
        List<String> verbs = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            boolean groupMatches = Manifests.stream(rule.path("apiGroups")).anyMatch(g -> g.asText().equals(group));
            boolean resourceMatches = Manifests.stream(rule.path("resources")).anyMatch(r -> r.asText().equals(resource));
            if (groupMatches && resourceMatches) {
                rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            }
        }
        return verbs;
    }
}
