package io.batchpool.gateway.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One record waiting to be relayed to Kafka (written in the same transaction as the change it announces). */
@Entity
@Table(name = "outbox")
public class OutboxEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String topic;
    @Column(name = "record_key")
    public String recordKey;
    public byte[] payload;
    @Column(name = "created_at")
    public Instant createdAt;

    /** When the oldest unrelayed row was written (rows are relayed in id order, so it is the lowest id). */
    public static java.util.Optional<Instant> oldestCreatedAt() {
        return getEntityManager().createQuery("select o.createdAt from OutboxEntity o order by o.id", Instant.class)
                .setMaxResults(1).getResultStream().findFirst();
    }
}
