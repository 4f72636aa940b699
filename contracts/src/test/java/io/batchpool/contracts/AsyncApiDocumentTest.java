package io.batchpool.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.pool.PoolEvent;
import io.batchpool.contracts.pool.PoolState;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@code asyncapi.yaml} (the published contract) and the Java contract in step: every topic of
 * {@link Topics#ALL} is a channel, every permitted record of its sealed interface a message whose payload has
 * exactly the record's components with their JSON types, and each message's example is its golden file.
 */
class AsyncApiDocumentTest {
    /** The sealed message family carried by each topic. */
    static final Map<String, Class<? extends Message>> FAMILY = Map.of(
            Topics.POOL_COMMANDS, PoolCommand.class,
            Topics.POOL_EVENTS, PoolEvent.class,
            Topics.VM_EVENTS, VmEvent.class,
            Topics.PROVISIONER_COMMANDS, ProvisionerCommand.class,
            Topics.VM_REPORTS, VmReport.class);

    /** The payload field each topic is keyed by (see the javadoc of Topics). */
    static final Map<String, String> KEY_FIELD = Map.of(
            Topics.POOL_COMMANDS, "poolId",
            Topics.POOL_EVENTS, "poolId",
            Topics.VM_EVENTS, "poolId",
            Topics.PROVISIONER_COMMANDS, "vmId",
            Topics.VM_REPORTS, "poolId");

    /** Who writes and who reads each topic: "service action address". */
    static final Set<String> FLOW = Set.of(
            "api-gateway send " + Topics.POOL_COMMANDS,
            "pool-manager receive " + Topics.POOL_COMMANDS,
            "pool-manager receive " + Topics.VM_REPORTS,
            "pool-manager send " + Topics.POOL_EVENTS,
            "pool-manager send " + Topics.VM_EVENTS,
            "pool-manager send " + Topics.PROVISIONER_COMMANDS,
            "vm-agent receive " + Topics.PROVISIONER_COMMANDS,
            "vm-agent send " + Topics.VM_REPORTS,
            "billing-meter receive " + Topics.VM_EVENTS,
            "job-dispatcher receive " + Topics.VM_EVENTS,
            "api-gateway receive " + Topics.POOL_EVENTS);

    static JsonNode doc;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = AsyncApiDocumentTest.class.getResourceAsStream("/asyncapi.yaml")) {
            assertThat(in).as("asyncapi.yaml on the classpath").isNotNull();
            doc = new YAMLMapper().readTree(in);
        }
    }

    @Test
    void document_is_asyncapi_3() {
        assertThat(doc.path("asyncapi").asText()).startsWith("3.0.");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
    }

    @Test
    void every_contract_topic_is_a_channel_with_its_address_partitions_and_retention() {
        for (Topics.TopicSpec topic : Topics.ALL) {
            JsonNode channel = channel(topic.name());
            JsonNode kafka = channel.path("bindings").path("kafka");
            assertThat(kafka.path("topic").asText()).as("kafka binding topic of %s", topic.name()).isEqualTo(topic.name());
            assertThat(kafka.path("partitions").asInt()).as("partitions of %s", topic.name()).isEqualTo(topic.partitions());
            Map<String, String> config = new TreeMap<>();
            kafka.path("topicConfiguration").fields().forEachRemaining(e -> config.put(e.getKey(),
                    e.getValue().isArray() ? joined(e.getValue()) : e.getValue().asText()));
            assertThat(config).as("topicConfiguration of %s", topic.name()).isEqualTo(new TreeMap<>(topic.config()));
        }
        Set<String> addresses = new HashSet<>();
        doc.path("channels").forEach(c -> addresses.add(c.path("address").asText()));
        assertThat(addresses).as("channels are exactly the contract's topics")
                .containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topics.TopicSpec::name).toList());
    }

    @Test
    void every_record_type_is_a_message_of_its_topic_with_exactly_its_fields_and_json_types() {
        for (Topics.TopicSpec topic : Topics.ALL) {
            Class<? extends Message> family = FAMILY.get(topic.name());
            assertThat(family).as("family of %s", topic.name()).isNotNull();
            JsonNode messages = channel(topic.name()).path("messages");
            List<String> permitted = Arrays.stream(family.getPermittedSubclasses()).map(Class::getSimpleName).toList();
            List<String> names = new ArrayList<>();
            messages.forEach(m -> names.add(resolve(m).path("name").asText()));
            assertThat(names).as("messages of %s", topic.name()).containsExactlyInAnyOrderElementsOf(permitted);

            for (Class<?> type : family.getPermittedSubclasses()) {
                String name = type.getSimpleName();
                JsonNode message = resolve(messages.path(name));
                assertThat(message.isMissingNode()).as("message %s on channel %s", name, topic.name()).isFalse();
                assertThat(message.path("contentType").asText("application/json")).isEqualTo("application/json");

                Map<String, JsonNode> envelope = properties(message.path("payload"));
                assertThat(envelope.keySet()).as("envelope properties of %s", name)
                        .containsExactlyInAnyOrderElementsOf(componentNames(Envelope.class));
                assertThat(envelope.get("type").path("const").asText()).as("type tag of %s", name).isEqualTo(name);

                JsonNode data = resolve(envelope.get("data"));
                assertThat(fieldNames(data.path("properties"))).as("payload properties of %s", name)
                        .containsExactlyElementsOf(componentNames(type));
                assertThat(texts(data.path("required"))).as("required fields of %s", name)
                        .containsExactlyInAnyOrderElementsOf(componentNames(type));
                for (RecordComponent component : type.getRecordComponents()) {
                    assertJsonType(name + "." + component.getName(), component.getType(),
                            resolve(data.path("properties").path(component.getName())));
                }

                JsonNode key = resolve(message.path("bindings")).path("kafka").path("key");
                assertThat(key.path("x-key-field").asText()).as("record key of %s", name)
                        .isEqualTo(KEY_FIELD.get(topic.name()));
                assertThat(componentNames(type)).contains(key.path("x-key-field").asText());
            }
        }
    }

    @Test
    void each_message_example_is_its_golden_file_and_every_golden_file_fits_its_schema() throws IOException {
        for (Class<? extends Message> family : FAMILY.values()) {
            for (Class<?> type : family.getPermittedSubclasses()) {
                String name = type.getSimpleName();
                JsonNode message = resolve(doc.path("components").path("messages").path(name));
                JsonNode golden = EventCodec.MAPPER.readTree(GoldenWireFormatTest.golden(name));
                assertThat(message.path("examples").path(0).path("payload")).as("example of %s", name)
                        .isEqualTo(golden);
                List<String> errors = new ArrayList<>();
                validate(golden, message.path("payload"), name, errors);
                assertThat(errors).as("golden/%s.json against its message schema", name).isEmpty();
            }
        }
    }

    @Test
    void the_schema_check_rejects_a_record_that_breaks_it() throws IOException {
        // guards the validator above: a wrong type, a missing field and a bad enum value must all be reported
        JsonNode payload = resolve(doc.path("components").path("messages").path("VmDeleted")).path("payload");
        String broken = GoldenWireFormatTest.golden("VmDeleted")
                .replace("\"wasProvisioned\": true", "\"wasProvisioned\": \"yes\"")
                .replace("\"reason\": \"SCALED_DOWN\"", "\"reason\": \"EVAPORATED\"")
                .replace("\"vmId\": \"f0e1d2c3b4a5968778695a4b3c2d1e0f\",", "");
        List<String> errors = new ArrayList<>();
        validate(EventCodec.MAPPER.readTree(broken), payload, "VmDeleted", errors);
        assertThat(errors).hasSize(3);
    }

    @Test
    void operations_say_who_writes_and_who_reads_each_topic() {
        Set<String> flow = new HashSet<>();
        doc.path("operations").fields().forEachRemaining(e -> {
            JsonNode op = e.getValue();
            String channelRef = op.path("channel").path("$ref").asText();
            JsonNode channel = resolve(op.path("channel"));
            String address = channel.path("address").asText();
            List<String> services = new ArrayList<>();
            op.path("tags").forEach(t -> services.add(t.path("name").asText()));
            assertThat(services).as("service tag of operation %s", e.getKey()).hasSize(1);
            flow.add(services.get(0) + " " + op.path("action").asText() + " " + address);
            op.path("messages").forEach(m -> assertThat(m.path("$ref").asText())
                    .as("message of operation %s belongs to its channel", e.getKey())
                    .startsWith(channelRef + "/messages/"));
            assertThat(op.path("messages").size()).as("operation %s handles every message of its channel", e.getKey())
                    .isEqualTo(channel.path("messages").size());
        });
        assertThat(flow).containsExactlyInAnyOrderElementsOf(FLOW);
    }

    @Test
    void description_states_the_state_models_and_the_versioning_and_retention_rules() {
        String description = doc.path("info").path("description").asText();
        for (Enum<?> state : PoolState.values()) {
            assertThat(description).contains(state.name());
        }
        for (Enum<?> state : VmState.values()) {
            assertThat(description).contains(state.name());
        }
        assertThat(description).contains("additive", ".v2", "new type tag", "retention.ms=-1", "retention.ms=86400000");
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    static JsonNode channel(String address) {
        for (JsonNode channel : doc.path("channels")) {
            if (channel.path("address").asText().equals(address)) {
                return channel;
            }
        }
        throw new AssertionError("no channel with address " + address);
    }

    /** Follows local {@code $ref}s ({@code #/a/b}) until a node that is not a reference. */
    static JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current != null && current.has("$ref"); hops++) {
            String ref = current.path("$ref").asText();
            assertThat(ref).as("only local references").startsWith("#/");
            assertThat(hops).as("reference cycle at %s", ref).isLessThan(10);
            current = doc.at(ref.substring(1));
            assertThat(current.isMissingNode()).as("dangling reference %s", ref).isFalse();
        }
        return current;
    }

    /** The properties of an object schema, merged over its {@code allOf} parts. */
    static Map<String, JsonNode> properties(JsonNode schema) {
        JsonNode s = resolve(schema);
        Map<String, JsonNode> props = new LinkedHashMap<>();
        s.path("allOf").forEach(part -> properties(part).forEach((k, v) -> props.merge(k, v, (a, b) -> merged(a, b))));
        s.path("properties").fields().forEachRemaining(e -> props.merge(e.getKey(), e.getValue(), (a, b) -> merged(a, b)));
        return props;
    }

    /** A property declared in two allOf parts: keep the more specific one (the one with a const or a $ref). */
    private static JsonNode merged(JsonNode a, JsonNode b) {
        return b.has("const") || b.has("$ref") ? b : a;
    }

    static void assertJsonType(String field, Class<?> javaType, JsonNode schema) {
        String type = schema.path("type").asText();
        if (javaType == int.class || javaType == long.class || javaType == Integer.class || javaType == Long.class) {
            assertThat(type).as("JSON type of %s", field).isEqualTo("integer");
        } else if (javaType == boolean.class || javaType == Boolean.class) {
            assertThat(type).as("JSON type of %s", field).isEqualTo("boolean");
        } else if (javaType == String.class) {
            assertThat(type).as("JSON type of %s", field).isEqualTo("string");
        } else if (javaType == Instant.class) {
            assertThat(type).as("JSON type of %s", field).isEqualTo("string");
            assertThat(schema.path("format").asText()).as("format of %s", field).isEqualTo("date-time");
        } else if (javaType.isEnum()) {
            assertThat(type).as("JSON type of %s", field).isEqualTo("string");
            assertThat(texts(schema.path("enum"))).as("enum values of %s", field).containsExactly(
                    Arrays.stream(javaType.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toArray(String[]::new));
        } else {
            throw new AssertionError("no JSON mapping known for " + field + " of type " + javaType);
        }
    }

    /** A small JSON-schema check (the keywords this document uses); adds one line per violation to errors. */
    static void validate(JsonNode value, JsonNode schemaNode, String path, List<String> errors) {
        JsonNode schema = resolve(schemaNode);
        schema.path("allOf").forEach(part -> validate(value, part, path, errors));
        if (schema.has("const") && !schema.path("const").equals(value)) {
            errors.add(path + ": expected " + schema.path("const") + " but was " + value);
        }
        String type = schema.path("type").asText("");
        boolean typeOk = switch (type) {
            case "object" -> value.isObject();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "boolean" -> value.isBoolean();
            case "" -> true;
            default -> false;
        };
        if (!typeOk) {
            errors.add(path + ": expected " + type + " but was " + value.getNodeType());
            return;
        }
        if (schema.has("enum") && !texts(schema.path("enum")).contains(value.asText())) {
            errors.add(path + ": " + value + " is not one of " + schema.path("enum"));
        }
        if (schema.has("pattern") && !value.asText().matches(schema.path("pattern").asText())) {
            errors.add(path + ": " + value + " does not match " + schema.path("pattern").asText());
        }
        if (schema.has("minimum") && value.asLong() < schema.path("minimum").asLong()) {
            errors.add(path + ": " + value + " is below " + schema.path("minimum"));
        }
        if ("date-time".equals(schema.path("format").asText())) {
            try {
                Instant.parse(value.asText());
            } catch (DateTimeParseException e) {
                errors.add(path + ": " + value + " is not an ISO-8601 instant");
            }
        }
        for (String required : texts(schema.path("required"))) {
            if (!value.has(required)) {
                errors.add(path + ": missing " + required);
            }
        }
        schema.path("properties").fields().forEachRemaining(e -> {
            if (value.has(e.getKey())) {
                validate(value.get(e.getKey()), e.getValue(), path + "." + e.getKey(), errors);
            }
        });
    }

    static List<String> componentNames(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    static String joined(JsonNode array) {
        return texts(array).stream().collect(Collectors.joining(","));
    }
}
