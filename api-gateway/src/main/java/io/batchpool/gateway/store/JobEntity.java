package io.batchpool.gateway.store;

import io.batchpool.contracts.job.JobState;
import io.batchpool.gateway.domain.JobRecord;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A BES job: what the gateway admitted plus the view columns fed by job events (see V3__jobs.sql), read here;
 * written by plain JDBC ({@code AdmissionStore}, {@code JobViewWriter}).
 */
@Entity
@Table(name = "job")
@DynamicUpdate // the view consumer writes the view columns concurrently: update only what changed
public class JobEntity extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "account_id")
    public String accountId;
    @Column(name = "service_id")
    public String serviceId;
    @Column(name = "service_version")
    public int serviceVersion;
    @Column(name = "pool_id")
    public String poolId;
    @Column(name = "queue_id")
    public String queueId;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @Column(name = "command_sequence")
    public long commandSequence;
    @Column(name = "start_requested")
    public boolean startRequested;
    @Column(name = "cancel_requested")
    public boolean cancelRequested;
    @Enumerated(EnumType.STRING)
    public JobState state;
    @Column(name = "view_sequence")
    public long viewSequence;
    @Column(name = "queue_sequence")
    public Long queueSequence;
    public int attempt;
    @Column(name = "vm_id")
    public String vmId;
    @Column(name = "rows_scored")
    public long rowsScored;
    public String details;
    public String results;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "ended_at")
    public Instant endedAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public JobRecord toRecord() {
        return new JobRecord(id, queueId, state, startRequested, cancelRequested, commandSequence);
    }

    /** The job of {@code serviceId} with that id. */
    public static Optional<JobEntity> of(String serviceId, String jobId) {
        JobEntity job = findById(jobId);
        return job != null && job.serviceId.equals(serviceId) ? Optional.of(job) : Optional.empty();
    }

    /**
     * 1 for the next job of its queue to start, counting the queued jobs ahead of it; 0 when not queued. A started
     * job the view does not show queued yet joins the end of its queue.
     */
    public long queuePosition() {
        if (toRecord().shownState() != JobState.QUEUED) {
            return 0;
        }
        if (queueSequence == null) {
            return count("queueId = ?1 and state = ?2 and queueSequence is not null", queueId, JobState.QUEUED) + 1;
        }
        return count("queueId = ?1 and state = ?2 and queueSequence < ?3", queueId, JobState.QUEUED, queueSequence) + 1;
    }

    /** A page of the service's jobs, newest first, after the (createdAt, id) cursor if given. */
    public static List<JobEntity> page(String serviceId, Instant beforeCreatedAt, String beforeId, int limit) {
        if (beforeCreatedAt == null) {
            return find("serviceId = ?1 order by createdAt desc, id desc", serviceId).page(0, limit).list();
        }
        return find("serviceId = ?1 and (createdAt < ?2 or (createdAt = ?2 and id < ?3)) order by createdAt desc, id desc",
                serviceId, beforeCreatedAt, beforeId).page(0, limit).list();
    }
}
