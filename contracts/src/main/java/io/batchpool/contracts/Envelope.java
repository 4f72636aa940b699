package io.batchpool.contracts;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The one envelope of every record on every Batchpool topic.
 *
 * <pre>
 * {"type":"VmProvisioned","schemaVersion":1,"eventId":"...","aggregateId":"...","sequence":7,
 *  "occurredAt":"2026-11-26T10:00:00Z","data":{...}}
 * </pre>
 *
 * @param type          the payload's type tag (its simple record name)
 * @param schemaVersion version of the payload schema; changes are additive (new optional fields), an incompatible
 *                      change gets a new type tag
 * @param eventId       unique id (32 hex) for de-duplication
 * @param aggregateId   the aggregate the message is about (pool id for pool topics)
 * @param sequence      per-aggregate sequence set by the aggregate's single writer; a consumer ignores a record
 *                      whose sequence is not newer than what it has applied (numbers may have gaps)
 * @param occurredAt    when it happened, in milliseconds (business time: billing uses it, never the wall clock)
 * @param data          the payload
 */
public record Envelope<M extends Message>(String type, int schemaVersion, String eventId, String aggregateId,
                                          long sequence, Instant occurredAt, M data) {

    public static final int SCHEMA_VERSION = 1;

    public Envelope {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(data, "data");
        // millisecond precision on the wire: billing sums milliseconds, and every reader must see the same instant
        occurredAt = occurredAt.truncatedTo(ChronoUnit.MILLIS);
    }

    public static <M extends Message> Envelope<M> of(M data, long sequence, Instant occurredAt) {
        return new Envelope<>(data.getClass().getSimpleName(), SCHEMA_VERSION, Ids.newId(), data.aggregateId(),
                sequence, occurredAt, data);
    }

    /** A copy with a deterministic event id, for producers that must emit the same id when they redo work. */
    public Envelope<M> withEventId(String id) {
        return new Envelope<>(type, schemaVersion, id, aggregateId, sequence, occurredAt, data);
    }
}
