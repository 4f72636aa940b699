package io.batchpool.contracts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * JSON encoding of the {@link Envelope}s of one topic family (a sealed {@link Message} interface). The type tag
 * maps to one of the interface's permitted records; unknown fields are ignored so that additive schema changes
 * do not break old readers.
 */
public final class EventCodec<M extends Message> {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final Class<M> family;
    private final Map<String, Class<? extends M>> types = new HashMap<>();

    @SuppressWarnings("unchecked")
    public EventCodec(Class<M> family) {
        if (!family.isSealed()) {
            throw new IllegalArgumentException(family + " must be a sealed interface");
        }
        this.family = family;
        for (Class<?> permitted : family.getPermittedSubclasses()) {
            types.put(permitted.getSimpleName(), (Class<? extends M>) permitted);
        }
    }

    public Class<M> family() {
        return family;
    }

    public byte[] encode(Envelope<? extends M> envelope) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("type", envelope.type());
        node.put("schemaVersion", envelope.schemaVersion());
        node.put("eventId", envelope.eventId());
        node.put("aggregateId", envelope.aggregateId());
        node.put("sequence", envelope.sequence());
        node.put("occurredAt", envelope.occurredAt().toString());
        node.set("data", MAPPER.valueToTree(envelope.data()));
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + envelope.type(), e);
        }
    }

    public Envelope<M> decode(byte[] bytes) {
        if (bytes == null) {
            throw new DecodeException("empty record (tombstone) on a " + family.getSimpleName() + " topic", null);
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            String type = text(node, "type");
            Class<? extends M> cls = types.get(type);
            if (cls == null) {
                throw new DecodeException("unknown type '" + type + "' for " + family.getSimpleName(), null);
            }
            JsonNode data = node.get("data");
            if (data == null || !data.isObject()) {
                throw new DecodeException("missing data object in " + type, null);
            }
            M payload = MAPPER.treeToValue(data, cls);
            return new Envelope<>(type, node.path("schemaVersion").asInt(Envelope.SCHEMA_VERSION),
                    text(node, "eventId"), text(node, "aggregateId"), node.path("sequence").asLong(),
                    Instant.parse(text(node, "occurredAt")), payload);
        } catch (DecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("undecodable " + family.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new DecodeException("missing text field '" + field + "'", null);
        }
        return value.asText();
    }
}
