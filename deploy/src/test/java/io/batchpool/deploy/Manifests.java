package io.batchpool.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads the manifests under {@code k8s/} and builds a kustomization the way {@code kubectl kustomize} does for the
 * features these manifests use: {@code resources} (files and directories), {@code patches} (strategic-merge patch
 * files, with or without a {@code target}; lists of named items such as containers and env merge by name;
 * {@code $patch: delete}), {@code replicas} and {@code namespace}; {@code labels} is accepted and not applied (it
 * only adds {@code app.kubernetes.io/part-of}, never to selectors). Any other kustomization field fails the build
 * here, so the tests never check a different result than the cluster would get.
 */
final class Manifests {
    static final YAMLMapper YAML = new YAMLMapper();
    static final Path K8S = locate();
    static final Path BASE = K8S.resolve("base");
    static final Path LOCAL = K8S.resolve("overlays/local");
    static final Path PRODUCTION = K8S.resolve("overlays/production");

    private static final List<String> SUPPORTED = List.of("apiVersion", "kind", "namespace", "labels", "resources",
            "patches", "replicas");

    private Manifests() {
    }

    private static Path locate() {
        for (Path candidate : List.of(Path.of("k8s"), Path.of("deploy", "k8s"))) {
            if (Files.isDirectory(candidate.resolve("base"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("k8s/ not found from " + Path.of("").toAbsolutePath());
    }

    /** Every YAML file under k8s/, sorted. */
    static List<Path> yamlFiles() {
        try (Stream<Path> walk = Files.walk(K8S)) {
            return walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kustomization directories under k8s/. */
    static List<Path> kustomizationDirs() {
        return yamlFiles().stream().filter(Manifests::isKustomization).map(Path::getParent).toList();
    }

    static boolean isKustomization(Path file) {
        String name = file.getFileName().toString();
        return name.equals("kustomization.yaml") || name.equals("kustomization.yml");
    }

    /** The non-empty documents of a (multi-document) YAML file, in order. */
    static List<ObjectNode> read(Path file) {
        List<ObjectNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node instanceof ObjectNode object && !object.isEmpty()) {
                    docs.add(object);
                } else if (node != null && !node.isNull() && !node.isMissingNode()) {
                    throw new IllegalStateException(file + ": a document that is not a mapping: " + node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    static JsonNode kustomization(Path dir) {
        List<ObjectNode> docs = read(dir.resolve("kustomization.yaml"));
        if (docs.size() != 1) {
            throw new IllegalStateException(dir + "/kustomization.yaml must hold one document");
        }
        return docs.get(0);
    }

    /** The resources a kustomization build yields (deep copies; mutate freely). */
    static List<ObjectNode> build(Path dir) {
        JsonNode k = kustomization(dir);
        k.fieldNames().forEachRemaining(field -> {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalStateException(dir + ": kustomization field '" + field + "' is not modelled by this test");
            }
        });
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(build(p));
            } else {
                read(p).forEach(doc -> out.add(doc.deepCopy()));
            }
        }
        for (JsonNode patch : k.path("patches")) {
            if (!patch.has("path")) {
                throw new IllegalStateException(dir + ": only patches from files are modelled");
            }
            JsonNode target = patch.path("target");
            for (ObjectNode p : read(dir.resolve(patch.path("path").asText()))) {
                List<ObjectNode> matches = out.stream()
                        .filter(r -> target.isMissingNode() ? kind(r).equals(kind(p)) && name(r).equals(name(p))
                                : matchesTarget(r, target))
                        .toList();
                if (matches.isEmpty()) {
                    throw new IllegalStateException(dir + ": patch " + patch + " (" + kind(p) + " " + name(p)
                            + ") matches no resource");
                }
                if ("delete".equals(p.path("$patch").asText())) {
                    out.removeIf(r -> matches.stream().anyMatch(m -> m == r));
                } else {
                    ObjectNode body = p.deepCopy();
                    if (!target.isMissingNode()) {
                        // with a target, the patch's own name is replaced by each target's name
                        ((ObjectNode) body.path("metadata")).remove("name");
                    }
                    matches.forEach(m -> merge(m, body));
                }
            }
        }
        for (JsonNode replicas : k.path("replicas")) {
            ObjectNode workload = out.stream()
                    .filter(r -> List.of("Deployment", "StatefulSet").contains(kind(r)))
                    .filter(r -> name(r).equals(replicas.path("name").asText()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(dir + ": replicas for unknown " + replicas));
            ((ObjectNode) workload.path("spec")).put("replicas", replicas.path("count").asInt());
        }
        if (k.has("namespace")) {
            out.stream().filter(r -> !kind(r).equals("Namespace"))
                    .forEach(r -> ((ObjectNode) r.path("metadata")).put("namespace", k.path("namespace").asText()));
        }
        return out;
    }

    private static boolean matchesTarget(ObjectNode resource, JsonNode target) {
        if (target.has("kind") && !kind(resource).equals(target.path("kind").asText())) {
            return false;
        }
        if (target.has("name") && !name(resource).equals(target.path("name").asText())) {
            return false;
        }
        return !target.has("group") || resource.path("apiVersion").asText().startsWith(target.path("group").asText() + "/");
    }

    /** Strategic merge: maps recursively, lists of named maps by name, anything else replaced. */
    static void merge(ObjectNode into, ObjectNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (e.getKey().equals("$patch")) {
                continue;
            }
            JsonNode current = into.get(e.getKey());
            JsonNode value = e.getValue();
            if (current instanceof ObjectNode currentObject && value instanceof ObjectNode valueObject) {
                merge(currentObject, valueObject);
            } else if (current instanceof ArrayNode currentArray && value instanceof ArrayNode valueArray
                    && allNamed(currentArray) && allNamed(valueArray)) {
                for (JsonNode item : valueArray) {
                    Optional<ObjectNode> same = stream(currentArray)
                            .filter(c -> c.path("name").equals(item.path("name")))
                            .map(ObjectNode.class::cast).findFirst();
                    if (same.isPresent()) {
                        merge(same.get(), (ObjectNode) item);
                    } else {
                        currentArray.add(item.deepCopy());
                    }
                }
            } else {
                into.set(e.getKey(), value.deepCopy());
            }
        }
    }

    private static boolean allNamed(ArrayNode array) {
        return array.size() > 0 && stream(array).allMatch(n -> n.isObject() && n.path("name").isTextual());
    }

    static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items.stream();
    }

    static String kind(JsonNode resource) {
        return resource.path("kind").asText();
    }

    static String name(JsonNode resource) {
        return resource.path("metadata").path("name").asText();
    }

    static List<ObjectNode> ofKind(List<ObjectNode> resources, String kind) {
        return resources.stream().filter(r -> kind(r).equals(kind)).toList();
    }

    static ObjectNode one(List<ObjectNode> resources, String kind, String name) {
        return resources.stream().filter(r -> kind(r).equals(kind) && name(r).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }
}
