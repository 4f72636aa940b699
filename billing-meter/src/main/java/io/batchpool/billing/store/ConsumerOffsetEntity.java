package io.batchpool.billing.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;

/** A row of {@code consumer_offset}: the last offset of a topic-partition whose effect is in the database. */
@Entity
@Table(name = "consumer_offset")
@IdClass(ConsumerOffsetEntity.Key.class)
public class ConsumerOffsetEntity extends PanacheEntityBase {
    @Id
    @Column(name = "topic")
    public String topic;
    @Id
    @Column(name = "partition_id")
    public int partition;
    @Column(name = "last_offset", nullable = false)
    public long lastOffset;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The composite primary key (topic, partition). */
    public static class Key implements Serializable {
        public String topic;
        public int partition;

        public Key() {
        }

        public Key(String topic, int partition) {
            this.topic = topic;
            this.partition = partition;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.partition == partition && java.util.Objects.equals(k.topic, topic);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(topic, partition);
        }
    }
}
