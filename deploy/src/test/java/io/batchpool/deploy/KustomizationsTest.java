package io.batchpool.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.batchpool.deploy.Manifests.K8S;
import static org.assertj.core.api.Assertions.assertThat;

/** Every YAML file parses, every file a kustomization names exists, and every manifest is used by one. */
class KustomizationsTest {

    @Test
    void there_is_a_base_and_two_overlays() {
        assertThat(Manifests.kustomizationDirs()).containsExactlyInAnyOrder(Manifests.BASE, Manifests.LOCAL,
                Manifests.PRODUCTION);
    }

    @Test
    void every_yaml_document_is_a_named_kubernetes_object() {
        for (Path file : Manifests.yamlFiles()) {
            List<ObjectNode> docs = Manifests.read(file);
            assertThat(docs).as("documents in %s", file).isNotEmpty();
            if (Manifests.isKustomization(file)) {
                continue;
            }
            for (ObjectNode doc : docs) {
                assertThat(doc.path("apiVersion").asText()).as("apiVersion in %s", file).isNotBlank();
                assertThat(Manifests.kind(doc)).as("kind in %s", file).isNotBlank();
                assertThat(Manifests.name(doc)).as("metadata.name in %s", file).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
            }
        }
    }

    @Test
    void every_kustomization_lists_only_files_that_exist() {
        for (Path dir : Manifests.kustomizationDirs()) {
            for (Path listed : listed(dir)) {
                assertThat(listed).as("listed in %s/kustomization.yaml", K8S.relativize(dir)).exists();
                if (Files.isDirectory(listed)) {
                    assertThat(listed.resolve("kustomization.yaml")).as("a resource directory is a kustomization").exists();
                }
            }
        }
    }

    @Test
    void every_manifest_is_used_by_a_kustomization() {
        Set<Path> used = new HashSet<>();
        for (Path dir : Manifests.kustomizationDirs()) {
            used.add(dir.resolve("kustomization.yaml"));
            used.addAll(listed(dir));
        }
        for (Path file : Manifests.yamlFiles()) {
            assertThat(used).as("%s is applied by no kustomization", K8S.relativize(file)).contains(file);
        }
    }

    @Test
    void every_build_has_unique_objects_in_the_batchpool_namespace() {
        for (Path dir : List.of(Manifests.BASE, Manifests.LOCAL, Manifests.PRODUCTION)) {
            Set<String> seen = new HashSet<>();
            for (ObjectNode resource : Manifests.build(dir)) {
                assertThat(seen.add(Manifests.kind(resource) + "/" + Manifests.name(resource)))
                        .as("duplicate %s/%s in %s", Manifests.kind(resource), Manifests.name(resource), dir).isTrue();
                if (!Manifests.kind(resource).equals("Namespace")) {
                    assertThat(resource.path("metadata").path("namespace").asText()).isEqualTo("batchpool");
                }
            }
        }
    }

    /** The files and directories a kustomization refers to. */
    static List<Path> listed(Path dir) {
        JsonNode k = Manifests.kustomization(dir);
        List<Path> paths = new ArrayList<>();
        for (String field : List.of("resources", "components", "patchesStrategicMerge", "crds")) {
            k.path(field).forEach(r -> paths.add(dir.resolve(r.asText()).normalize()));
        }
        k.path("patches").forEach(p -> {
            if (p.has("path")) {
                paths.add(dir.resolve(p.path("path").asText()).normalize());
            }
        });
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            for (JsonNode g : k.path(generator)) {
                g.path("files").forEach(f -> paths.add(dir.resolve(f.asText().replaceFirst("^[^=]*=", "")).normalize()));
                g.path("envs").forEach(f -> paths.add(dir.resolve(f.asText()).normalize()));
            }
        }
        return paths;
    }
}
