package io.batchpool.contracts;

/**
 * The payload of an {@link Envelope}. Each topic has one sealed sub-interface whose records are its event types;
 * the record's simple class name is its type tag on the wire.
 */
public interface Message {
    /** The id of the aggregate this message is about; also the record key unless the topic says otherwise. */
    String aggregateId();

    /** The record key: the ordering unit of the topic. The aggregate id unless the topic's interface says otherwise. */
    default String key() {
        return aggregateId();
    }
}
