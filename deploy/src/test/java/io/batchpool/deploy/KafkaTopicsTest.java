package io.batchpool.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchpool.contracts.Topics;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.batchpool.deploy.Manifests.BASE;
import static io.batchpool.deploy.Manifests.LOCAL;
import static io.batchpool.deploy.Manifests.PRODUCTION;
import static io.batchpool.deploy.Manifests.build;
import static io.batchpool.deploy.Manifests.name;
import static io.batchpool.deploy.Manifests.ofKind;
import static io.batchpool.deploy.Manifests.one;
import static org.assertj.core.api.Assertions.assertThat;

/** The Strimzi KafkaTopics are the contract's topics: same names, partitions and config, in the base and in every overlay. */
class KafkaTopicsTest {
    static final String STRIMZI = "kafka.strimzi.io/v1beta2";

    @Test
    void base_topics_are_exactly_the_contract_topics() {
        List<ObjectNode> topics = ofKind(build(BASE), "KafkaTopic");
        assertThat(topics.stream().map(Manifests::name).toList()).as("KafkaTopic names")
                .containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topics.TopicSpec::name).toList());
        for (Topics.TopicSpec spec : Topics.ALL) {
            ObjectNode topic = one(topics, "KafkaTopic", spec.name());
            assertThat(topic.path("apiVersion").asText()).isEqualTo(STRIMZI);
            assertThat(topic.path("spec").has("topicName")).as("%s: the resource name is the topic name", spec.name())
                    .isFalse();
            assertThat(topic.path("spec").path("partitions").asInt()).as("partitions of %s", spec.name())
                    .isEqualTo(spec.partitions());
            assertThat(config(topic)).as("config of %s", spec.name()).isEqualTo(new TreeMap<>(spec.config()));
            assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .as("strimzi.io/cluster label of %s", spec.name()).isEqualTo("batchpool");
        }
    }

    @Test
    void every_overlay_keeps_the_contract_topics_partitions_and_config() {
        for (Path overlay : List.of(LOCAL, PRODUCTION)) {
            List<ObjectNode> topics = ofKind(build(overlay), "KafkaTopic");
            assertThat(topics).as("topics of %s", overlay).hasSize(Topics.ALL.size());
            for (Topics.TopicSpec spec : Topics.ALL) {
                ObjectNode topic = one(topics, "KafkaTopic", spec.name());
                assertThat(topic.path("spec").path("partitions").asInt())
                        .as("%s in %s: the contract's partitions (pool topics are co-partitioned)", spec.name(),
                                overlay.getFileName())
                        .isEqualTo(spec.partitions());
                assertThat(config(topic)).as("config of %s in %s", spec.name(), overlay.getFileName())
                        .containsAllEntriesOf(spec.config());
            }
        }
    }

    @Test
    void no_production_patch_touches_partitions() {
        for (JsonNode patch : Manifests.kustomization(PRODUCTION).path("patches")) {
            for (ObjectNode doc : Manifests.read(PRODUCTION.resolve(patch.path("path").asText()))) {
                assertThat(doc.path("spec").has("partitions"))
                        .as("%s patches partitions", patch.path("path").asText()).isFalse();
            }
        }
    }

    @Test
    void production_replicates_three_times_with_two_in_sync() {
        for (ObjectNode topic : ofKind(build(PRODUCTION), "KafkaTopic")) {
            assertThat(topic.path("spec").path("replicas").asInt()).as("replicas of %s", name(topic)).isEqualTo(3);
            assertThat(config(topic)).as("config of %s", name(topic)).containsEntry("min.insync.replicas", "2");
        }
    }

    @Test
    void local_topics_have_one_replica_on_the_single_node_cluster() {
        List<ObjectNode> local = build(LOCAL);
        for (ObjectNode topic : ofKind(local, "KafkaTopic")) {
            assertThat(topic.path("spec").path("replicas").asInt()).as("replicas of %s", name(topic)).isEqualTo(1);
        }
        ObjectNode kafka = ofKind(local, "Kafka").get(0);
        assertThat(ofKind(local, "Kafka")).hasSize(1);
        ObjectNode pool = ofKind(local, "KafkaNodePool").get(0);
        assertThat(pool.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(Manifests.stream(pool.path("spec").path("roles")).map(JsonNode::asText).toList())
                .containsExactlyInAnyOrder("controller", "broker");
        assertThat(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo(name(kafka));
        for (ObjectNode topic : ofKind(local, "KafkaTopic")) {
            assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .as("cluster of %s", name(topic)).isEqualTo(name(kafka));
        }
        // the services reach this cluster through Strimzi's bootstrap service
        String bootstrap = one(local, "ConfigMap", "batchpool-common").path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText();
        assertThat(bootstrap).isEqualTo(name(kafka) + "-kafka-bootstrap:9092");
        assertThat(kafka.path("spec").path("kafka").path("config").path("transaction.state.log.replication.factor").asInt())
                .as("pool-manager's transactions need a transaction log the single broker can host").isEqualTo(1);
    }

    @Test
    void services_create_missing_topics_with_the_replication_of_the_kafka_topics() {
        // the topic operator cannot change the replicas of a topic a service already created
        for (Path dir : List.of(BASE, LOCAL, PRODUCTION)) {
            List<ObjectNode> resources = build(dir);
            String factor = one(resources, "ConfigMap", "batchpool-common").path("data")
                    .path("BATCHPOOL_KAFKA_REPLICATION_FACTOR").asText();
            for (ObjectNode topic : ofKind(resources, "KafkaTopic")) {
                assertThat(topic.path("spec").path("replicas").asText()).as("%s in %s", name(topic), dir.getFileName())
                        .isEqualTo(factor);
                JsonNode minIsr = topic.path("spec").path("config").path("min.insync.replicas");
                if (!minIsr.isMissingNode()) {
                    assertThat(minIsr.asInt()).isLessThan(Integer.parseInt(factor));
                }
            }
        }
    }

    static Map<String, String> config(ObjectNode topic) {
        Map<String, String> config = new TreeMap<>();
        topic.path("spec").path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    @Test
    void kafka_topic_documents_are_only_in_base() {
        // overlays patch the base topics; a KafkaTopic defined in an overlay would escape the contract check above
        for (Path file : Manifests.yamlFiles()) {
            if (file.startsWith(BASE) || Manifests.isKustomization(file)) {
                continue;
            }
            boolean isPatch = Manifests.kustomizationDirs().stream().anyMatch(dir ->
                    Manifests.stream(Manifests.kustomization(dir).path("patches"))
                            .anyMatch(p -> dir.resolve(p.path("path").asText()).normalize().equals(file)));
            if (!isPatch) {
                assertThat(Manifests.read(file).stream().map(Manifests::kind).collect(Collectors.toSet()))
                        .as("%s defines KafkaTopics", file).doesNotContain("KafkaTopic");
            }
        }
    }
}
