package io.batchpool.billing.store;

import io.batchpool.billing.domain.JobRun;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A row of {@code classic_run}; written with native upserts by {@link IntervalStore}, read through Panache. */
@Entity
@Table(name = "classic_run")
@IdClass(ClassicRunEntity.Key.class)
public class ClassicRunEntity extends PanacheEntityBase {
    @Id
    @Column(name = "job_id")
    public String jobId;
    @Id
    @Column(name = "attempt")
    public int attempt;
    @Column(name = "account_id", nullable = false)
    public String accountId;
    @Column(name = "service_id", nullable = false)
    public String serviceId;
    @Column(name = "started_at", nullable = false)
    public Instant startedAt;
    @Column(name = "ended_at")
    public Instant endedAt;

    public JobRun toDomain() {
        return new JobRun(jobId, attempt, accountId, serviceId, startedAt, endedAt);
    }

    /** The composite primary key (job, attempt). */
    public static class Key implements Serializable {
        public String jobId;
        public int attempt;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.attempt == attempt && Objects.equals(k.jobId, jobId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(jobId, attempt);
        }
    }
}
