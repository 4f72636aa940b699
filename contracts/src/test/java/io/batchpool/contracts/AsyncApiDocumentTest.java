package io.batchpool.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.SlotEvent;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.contracts.service.ServiceModelEvent;
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
import java.nio.charset.StandardCharsets;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
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
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@code asyncapi.yaml} (the published contract) and the Java contract in step: every topic of
 * {@link Topics#ALL} is a channel, every permitted record of its sealed interface a message whose payload has
 * exactly the record's components with their JSON types (nested records and maps included), keyed by the field
 * {@link Message#key()} returns, and each message's example is its golden file.
 */
class AsyncApiDocumentTest {
    /** The sealed message family carried by each topic. */
    static final Map<String, Class<? extends Message>> FAMILY = Map.ofEntries(
            Map.entry(Topics.POOL_COMMANDS, PoolCommand.class),
            Map.entry(Topics.POOL_EVENTS, PoolEvent.class),
            Map.entry(Topics.VM_EVENTS, VmEvent.class),
            Map.entry(Topics.PROVISIONER_COMMANDS, ProvisionerCommand.class),
            Map.entry(Topics.VM_REPORTS, VmReport.class),
            Map.entry(Topics.JOB_COMMANDS, JobCommand.class),
            Map.entry(Topics.JOB_EVENTS, JobEvent.class),
            Map.entry(Topics.ASSIGNMENTS, Assignment.class),
            Map.entry(Topics.JOB_REPORTS, JobReport.class),
            Map.entry(Topics.SLOT_EVENTS, SlotEvent.class),
            Map.entry(Topics.SERVICE_MODELS, ServiceModelEvent.class));

    /**
     * The payload field each topic is keyed by (see the javadoc of Topics and of each family's {@code key()}):
     * job families are keyed by queue id, not by their aggregate (the job id).
     */
    static final Map<String, String> KEY_FIELD = Map.ofEntries(
            Map.entry(Topics.POOL_COMMANDS, "poolId"),
            Map.entry(Topics.POOL_EVENTS, "poolId"),
            Map.entry(Topics.VM_EVENTS, "poolId"),
            Map.entry(Topics.PROVISIONER_COMMANDS, "vmId"),
            Map.entry(Topics.VM_REPORTS, "poolId"),
            Map.entry(Topics.JOB_COMMANDS, "queueId"),
            Map.entry(Topics.JOB_EVENTS, "queueId"),
            Map.entry(Topics.ASSIGNMENTS, "vmId"),
            Map.entry(Topics.JOB_REPORTS, "queueId"),
            Map.entry(Topics.SLOT_EVENTS, "poolId"),
            Map.entry(Topics.SERVICE_MODELS, "modelId"));

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
            "api-gateway receive " + Topics.POOL_EVENTS,
            "api-gateway send " + Topics.JOB_COMMANDS,
            "job-dispatcher receive " + Topics.JOB_COMMANDS,
            "job-dispatcher send " + Topics.JOB_EVENTS,
            "api-gateway receive " + Topics.JOB_EVENTS,
            "job-dispatcher send " + Topics.ASSIGNMENTS,
            "vm-agent receive " + Topics.ASSIGNMENTS,
            "vm-agent send " + Topics.JOB_REPORTS,
            "job-dispatcher receive " + Topics.JOB_REPORTS,
            "job-dispatcher send " + Topics.SLOT_EVENTS,
            "pool-manager receive " + Topics.SLOT_EVENTS,
            "api-gateway send " + Topics.SERVICE_MODELS,
            "vm-agent receive " + Topics.SERVICE_MODELS);

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

                assertRecordSchema(name, type, envelope.get("data"));

                JsonNode key = resolve(message.path("bindings")).path("kafka").path("key");
                assertThat(key.path("x-key-field").asText()).as("record key of %s", name)
                        .isEqualTo(KEY_FIELD.get(topic.name()));
                assertThat(componentNames(type)).contains(key.path("x-key-field").asText());
            }
        }
    }

    @Test
    void each_message_example_is_its_golden_file_and_every_golden_file_fits_its_schema() throws IOException {
        for (Map.Entry<String, Class<? extends Message>> entry : FAMILY.entrySet()) {
            Class<? extends Message> family = entry.getValue();
            EventCodec<? extends Message> codec = new EventCodec<>(family);
            for (Class<?> type : family.getPermittedSubclasses()) {
                String name = type.getSimpleName();
                JsonNode message = resolve(doc.path("components").path("messages").path(name));
                JsonNode golden = EventCodec.MAPPER.readTree(GoldenWireFormatTest.golden(name));
                assertThat(message.path("examples").path(0).path("payload")).as("example of %s", name)
                        .isEqualTo(golden);
                List<String> errors = new ArrayList<>();
                validate(golden, message.path("payload"), name, errors);
                assertThat(errors).as("golden/%s.json against its message schema", name).isEmpty();

                // the documented key field holds what the code uses as the record key (key(), not aggregateId())
                Message payload = codec.decode(GoldenWireFormatTest.golden(name).getBytes(StandardCharsets.UTF_8)).data();
                String keyField = resolve(message.path("bindings")).path("kafka").path("key").path("x-key-field").asText();
                assertThat(golden.path("data").path(keyField).asText()).as("key field %s of %s is key()", keyField, name)
                        .isEqualTo(payload.key());
                assertThat(golden.path("aggregateId").asText()).as("aggregateId of %s", name)
                        .isEqualTo(payload.aggregateId());
            }
        }
    }

    @Test
    void job_families_are_keyed_by_queue_not_by_their_aggregate() throws IOException {
        // the goldens use different job and queue ids, so a key field of jobId would fail the test above;
        // this pins the intent: the aggregate of a job record is the job, its partition is the queue's
        for (String name : List.of("SubmitJob", "JobQueued", "AttemptStarted")) {
            JsonNode golden = EventCodec.MAPPER.readTree(GoldenWireFormatTest.golden(name));
            assertThat(golden.path("aggregateId").asText()).isEqualTo(golden.path("data").path("jobId").asText())
                    .isNotEqualTo(golden.path("data").path("queueId").asText());
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
    void the_schema_check_reaches_into_nested_records_and_maps() throws IOException {
        // guards the validator for nested $refs and additionalProperties: a bad enum in a map value, a non-string
        // parameter, a bad duration and a missing field of a nested record must all be reported
        JsonNode payload = resolve(doc.path("components").path("messages").path("SubmitJob")).path("payload");
        JsonNode broken = EventCodec.MAPPER.readTree(GoldenWireFormatTest.golden("SubmitJob"));
        ObjectNode spec = (ObjectNode) broken.path("data").path("spec");
        ((ObjectNode) spec.path("inputs").path("input1")).put("kind", "FTP");
        ((ObjectNode) spec.path("globalParameters")).put("threshold", 0.5);
        spec.put("maxRunTime", "one hour");
        ((ObjectNode) spec.path("outputs").path("output1")).remove("sealedCredential");
        List<String> errors = new ArrayList<>();
        validate(broken, payload, "SubmitJob", errors);
        assertThat(errors).hasSize(4);
        assertThat(String.join("\n", errors)).contains("SubmitJob.data.spec.inputs.input1.kind",
                "SubmitJob.data.spec.globalParameters.threshold", "SubmitJob.data.spec.maxRunTime",
                "SubmitJob.data.spec.outputs.output1: missing sealedCredential");
    }

    @Test
    void a_classic_job_without_pool_fits_the_schema_as_encoded() throws IOException {
        // JobSpec.poolId is null for a classic job: the codec writes "poolId": null and the schema must accept it
        JobSpec golden = GoldenWireFormatTest.spec();
        JobSpec classic = new JobSpec(golden.jobId(), golden.accountId(), golden.serviceId(), golden.serviceVersion(),
                null, golden.inputs(), golden.outputs(), golden.globalParameters(), golden.maxRunTime());
        String classicQueue = Ids.newId();
        JsonNode encoded = EventCodec.MAPPER.readTree(new EventCodec<>(JobCommand.class).encode(
                Envelope.of(new SubmitJob(classic.jobId(), classicQueue, classic), 1, GoldenWireFormatTest.T)));
        assertThat(encoded.path("data").path("spec").has("poolId")).isTrue();
        assertThat(encoded.path("data").path("spec").path("poolId").isNull()).isTrue();
        JsonNode payload = resolve(doc.path("components").path("messages").path("SubmitJob")).path("payload");
        List<String> errors = new ArrayList<>();
        validate(encoded, payload, "SubmitJob", errors);
        assertThat(errors).isEmpty();

        // and null stays an error where the schema does not allow it
        ((ObjectNode) encoded.path("data")).putNull("queueId");
        validate(encoded, payload, "SubmitJob", errors);
        assertThat(errors).hasSize(1);
    }

    @Test
    void local_file_locations_and_results_fit_the_schema_as_encoded() throws IOException {
        // LOCAL_FILE (the embedded default): the sealed account instead of a credential; the result's token is null
        JobSpec golden = GoldenWireFormatTest.spec();
        String sealedAccount = "v1:bG9jYWwtZmlsZXMtYWNjb3VudA==";
        JobSpec local = new JobSpec(golden.jobId(), golden.accountId(), golden.serviceId(), golden.serviceVersion(),
                golden.poolId(), Map.of("input1", BlobLocation.localFile("census/data.csv", sealedAccount)),
                Map.of("output1", BlobLocation.localFile("census/scored.csv", sealedAccount)), golden.globalParameters(),
                golden.maxRunTime());
        JsonNode submit = EventCodec.MAPPER.readTree(new EventCodec<>(JobCommand.class).encode(
                Envelope.of(new SubmitJob(local.jobId(), golden.poolId(), local), 1, GoldenWireFormatTest.T)));
        JsonNode input = submit.path("data").path("spec").path("inputs").path("input1");
        assertThat(input.path("kind").asText()).isEqualTo("LOCAL_FILE");
        assertThat(input.path("baseLocation").asText()).isEqualTo("file:");
        assertThat(input.path("sealedCredential").asText()).isEqualTo(sealedAccount);
        List<String> errors = new ArrayList<>();
        validate(submit, resolve(doc.path("components").path("messages").path("SubmitJob")).path("payload"),
                "SubmitJob", errors);
        assertThat(errors).isEmpty();

        ResultsCommitted committed = new ResultsCommitted(local.jobId(), golden.poolId(), golden.poolId(), 1,
                Map.of("output1", ResultLocation.localFile("census/scored.csv")));
        JsonNode report = EventCodec.MAPPER.readTree(new EventCodec<>(JobReport.class).encode(
                Envelope.of(committed, 5, GoldenWireFormatTest.T)));
        JsonNode result = report.path("data").path("results").path("output1");
        assertThat(EventCodec.MAPPER.convertValue(result, Map.class)).as("exactly the three fields")
                .containsOnlyKeys("baseLocation", "relativeLocation", "sasBlobToken");
        JsonNode payload = resolve(doc.path("components").path("messages").path("ResultsCommitted")).path("payload");
        validate(report, payload, "ResultsCommitted", errors);
        assertThat(errors).isEmpty();
        assertThat(new EventCodec<>(JobReport.class).decode(EventCodec.MAPPER.writeValueAsBytes(report)).data())
                .isEqualTo(committed);

        // a local result is "file:" exactly: another base without the trailing slash is still an error
        ((ObjectNode) result).put("baseLocation", "file:/etc");
        validate(report, payload, "ResultsCommitted", errors);
        assertThat(errors).hasSize(1);
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
        for (JobState state : JobState.values()) {
            // a row of the StatusCode table: | `STATE` | `StatusCode` | ...
            Pattern row = Pattern.compile("(?m)^\\|\\s*`?" + state.name() + "`?\\s*\\|\\s*`?"
                    + state.wireStatus() + "`?\\s*\\|");
            assertThat(row.matcher(description).find()).as("StatusCode of %s in the description", state).isTrue();
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

    /** An object schema for a record: exactly its components, in order, all required, each with its JSON type. */
    static void assertRecordSchema(String path, Class<?> record, JsonNode schemaNode) {
        JsonNode schema = resolve(schemaNode);
        assertThat(types(schema)).as("JSON type of %s", path).containsExactly("object");
        assertThat(fieldNames(schema.path("properties"))).as("properties of %s", path)
                .containsExactlyElementsOf(componentNames(record));
        assertThat(texts(schema.path("required"))).as("required fields of %s", path)
                .containsExactlyInAnyOrderElementsOf(componentNames(record));
        for (RecordComponent component : record.getRecordComponents()) {
            assertJsonType(path + "." + component.getName(), component.getGenericType(),
                    schema.path("properties").path(component.getName()));
        }
    }

    /**
     * The schema of a field has the JSON type Jackson writes for its Java type: nested records and
     * {@code Map<String, V>} (an object with {@code additionalProperties} of V) are checked recursively. A
     * reference type may also allow {@code null}; a primitive may not (the codec rejects null for primitives).
     */
    static void assertJsonType(String field, Type javaType, JsonNode schemaNode) {
        assertThat(schemaNode.isMissingNode()).as("schema of %s", field).isFalse();
        JsonNode schema = resolve(schemaNode);
        List<String> types = new ArrayList<>(types(schema));
        boolean primitive = javaType instanceof Class<?> c && c.isPrimitive();
        if (!primitive) {
            types.remove("null");
        }
        if (javaType instanceof ParameterizedType map && map.getRawType() == Map.class) {
            assertThat(types).as("JSON type of %s", field).containsExactly("object");
            assertThat(map.getActualTypeArguments()[0]).as("keys of %s", field).isEqualTo(String.class);
            assertThat(schema.has("properties")).as("%s is a map, not a record", field).isFalse();
            assertThat(schema.path("additionalProperties").isObject())
                    .as("additionalProperties schema (the values) of %s", field).isTrue();
            assertJsonType(field + ".*", map.getActualTypeArguments()[1], schema.path("additionalProperties"));
            return;
        }
        assertThat(javaType).as("Java type of %s", field).isInstanceOf(Class.class);
        Class<?> type = (Class<?>) javaType;
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            assertThat(types).as("JSON type of %s", field).containsExactly("integer");
        } else if (type == boolean.class || type == Boolean.class) {
            assertThat(types).as("JSON type of %s", field).containsExactly("boolean");
        } else if (type == String.class) {
            assertThat(types).as("JSON type of %s", field).containsExactly("string");
        } else if (type == Instant.class) {
            assertThat(types).as("JSON type of %s", field).containsExactly("string");
            assertThat(schema.path("format").asText()).as("format of %s", field).isEqualTo("date-time");
        } else if (type == Duration.class) {
            assertThat(types).as("JSON type of %s", field).containsExactly("string");
            assertThat(schema.path("format").asText()).as("format of %s (ISO-8601, e.g. PT1H)", field)
                    .isEqualTo("duration");
        } else if (type.isEnum()) {
            assertThat(types).as("JSON type of %s", field).containsExactly("string");
            assertThat(texts(schema.path("enum"))).as("enum values of %s", field).containsExactly(
                    Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toArray(String[]::new));
        } else if (type.isRecord()) {
            assertRecordSchema(field, type, schema);
        } else {
            throw new AssertionError("no JSON mapping known for " + field + " of type " + type);
        }
    }

    /** The {@code type} of a schema as a list: one name, or the names of a type array like [string, null]. */
    static List<String> types(JsonNode schema) {
        JsonNode type = schema.path("type");
        return type.isArray() ? texts(type) : type.isMissingNode() ? List.of() : List.of(type.asText());
    }

    /** A small JSON-schema check (the keywords this document uses); adds one line per violation to errors. */
    static void validate(JsonNode value, JsonNode schemaNode, String path, List<String> errors) {
        JsonNode schema = resolve(schemaNode);
        schema.path("allOf").forEach(part -> validate(value, part, path, errors));
        if (schema.has("const") && !schema.path("const").equals(value)) {
            errors.add(path + ": expected " + schema.path("const") + " but was " + value);
        }
        List<String> types = types(schema);
        if (!types.isEmpty() && types.stream().noneMatch(type -> hasType(value, type))) {
            errors.add(path + ": expected " + String.join(" or ", types) + " but was " + value.getNodeType());
            return;
        }
        if (value.isNull()) {
            return; // an allowed null: the string or object keywords below do not apply
        }
        if (schema.has("enum") && !texts(schema.path("enum")).contains(value.asText())) {
            errors.add(path + ": " + value + " is not one of " + schema.path("enum"));
        }
        // JSON Schema patterns are searched, not matched whole: anchor them with ^...$ to match the whole value
        if (schema.has("pattern") && !Pattern.compile(schema.path("pattern").asText()).matcher(value.asText()).find()) {
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
        if ("duration".equals(schema.path("format").asText())) {
            try {
                Duration.parse(value.asText());
            } catch (DateTimeParseException e) {
                errors.add(path + ": " + value + " is not an ISO-8601 duration");
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
        // a map: every entry not named in properties is checked against the additionalProperties schema
        JsonNode additional = schema.path("additionalProperties");
        if (additional.isObject() && value.isObject()) {
            value.fields().forEachRemaining(e -> {
                if (!schema.path("properties").has(e.getKey())) {
                    validate(e.getValue(), additional, path + "." + e.getKey(), errors);
                }
            });
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> false;
        };
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
