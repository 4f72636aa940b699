package io.batchpool.billing.store;

import io.batchpool.billing.domain.BillingChange;
import io.batchpool.billing.domain.ClassicScope;
import io.batchpool.billing.domain.IntervalChange;
import io.batchpool.billing.domain.JobRun;
import io.batchpool.billing.domain.RunChange;
import io.batchpool.billing.domain.UsageScope;
import io.batchpool.billing.domain.VmInterval;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The billed intervals (VM intervals and classic job runs) and the consumer offsets, in PostgreSQL. A batch of
 * records of one partition is applied together with that partition's offset in one transaction, with the same rules
 * as the domain's {@link io.batchpool.billing.domain.IntervalBook} and {@link io.batchpool.billing.domain.RunBook}:
 * an open inserts unless the VM (job attempt) has a row, a close ends an open row only, and a record at or below the
 * stored offset is skipped. So replaying records changes nothing.
 */
@ApplicationScoped
public class IntervalStore {
    private static final Logger LOG = Logger.getLogger(IntervalStore.class);

    /** A consumed record: its offset and the change it carries ({@code null}: nothing to bill). */
    public record PendingRecord(long offset, BillingChange change) {
    }

    /**
     * @param previousOffset the stored offset before the batch (-1: none)
     * @param lastOffset     the stored offset after the batch
     * @param applied        records above the previous offset (the others were already applied)
     * @param changedRows    interval rows inserted or closed
     */
    public record BatchResult(long previousOffset, long lastOffset, int applied, int changedRows) {
    }

    private final EntityManager em;

    public IntervalStore(EntityManager em) {
        this.em = em;
    }

    @Transactional
    public BatchResult store(String topic, int partition, List<PendingRecord> records) {
        em.createNativeQuery("""
                        insert into consumer_offset (topic, partition_id, last_offset, updated_at)
                        values (:topic, :partition, -1, now()) on conflict do nothing""")
                .setParameter("topic", topic).setParameter("partition", partition).executeUpdate();
        // the row lock orders concurrent writers of one partition (two instances briefly both owning it in a rebalance)
        long previous = ((Number) em.createNativeQuery("""
                        select last_offset from consumer_offset
                        where topic = :topic and partition_id = :partition for update""")
                .setParameter("topic", topic).setParameter("partition", partition).getSingleResult()).longValue();
        long last = previous;
        int applied = 0;
        int changed = 0;
        for (PendingRecord record : records) {
            if (record.offset() <= last) {
                continue;
            }
            applied++;
            last = record.offset();
            if (record.change() != null) {
                changed += apply(record.change());
            }
        }
        if (last != previous) {
            em.createNativeQuery("""
                            update consumer_offset set last_offset = :offset, updated_at = now()
                            where topic = :topic and partition_id = :partition""")
                    .setParameter("offset", last).setParameter("topic", topic).setParameter("partition", partition)
                    .executeUpdate();
        }
        return new BatchResult(previous, last, applied, changed);
    }

    private int apply(BillingChange change) {
        if (change instanceof RunChange run) {
            return apply(run);
        }
        if (change instanceof IntervalChange.Open open) {
            VmInterval i = open.interval();
            return em.createNativeQuery("""
                            insert into vm_interval (vm_id, pool_id, account_id, billing_plan_id, slots, provisioned_at)
                            values (:vm, :pool, :account, :plan, :slots, :start) on conflict (vm_id) do nothing""")
                    .setParameter("vm", i.vmId()).setParameter("pool", i.poolId())
                    .setParameter("account", i.accountId()).setParameter("plan", i.billingPlanId())
                    .setParameter("slots", i.slots()).setParameter("start", i.start())
                    .executeUpdate();
        }
        if (change instanceof IntervalChange.Extend extend) {
            return em.createNativeQuery("""
                            update vm_interval set deleted_at = cast(:end as timestamptz)
                            where vm_id = :vm and pool_id = :pool and deleted_at is not null
                              and deleted_at < cast(:end as timestamptz)""")
                    .setParameter("end", extend.end()).setParameter("vm", extend.vmId())
                    .setParameter("pool", extend.poolId()).executeUpdate();
        }
        IntervalChange.Close close = (IntervalChange.Close) change;
        return em.createNativeQuery("""
                        update vm_interval set deleted_at = greatest(provisioned_at, cast(:end as timestamptz))
                        where vm_id = :vm and pool_id = :pool and deleted_at is null""")
                .setParameter("end", close.end()).setParameter("vm", close.vmId()).setParameter("pool", close.poolId())
                .executeUpdate();
    }

    private int apply(RunChange change) {
        if (change instanceof RunChange.JobKnown job) {
            return em.createNativeQuery("""
                            insert into classic_job (job_id, account_id, service_id, service_version)
                            values (:job, :account, :service, :version) on conflict (job_id) do nothing""")
                    .setParameter("job", job.jobId()).setParameter("account", job.accountId())
                    .setParameter("service", job.serviceId()).setParameter("version", job.serviceVersion())
                    .executeUpdate();
        }
        if (change instanceof RunChange.RunStarted started) {
            int rows = em.createNativeQuery("""
                            insert into classic_run (job_id, attempt, account_id, service_id, started_at)
                            select j.job_id, cast(:attempt as integer), j.account_id, j.service_id, cast(:start as timestamptz)
                            from classic_job j
                            where j.job_id = :job on conflict (job_id, attempt) do nothing""")
                    .setParameter("job", started.jobId()).setParameter("attempt", started.attempt())
                    .setParameter("start", started.at()).executeUpdate();
            if (rows == 0 && !knownJob(started.jobId())) {
                LOG.warnf("classic job %s started, but its JobCreated was never seen: its run cannot be metered",
                        started.jobId());
            }
            return rows;
        }
        RunChange.RunEnded ended = (RunChange.RunEnded) change;
        // attempt 0 is RunEnded.ANY_ATTEMPT: whichever run of the job is open
        return em.createNativeQuery("""
                        update classic_run set ended_at = greatest(started_at, cast(:end as timestamptz))
                        where job_id = :job and (attempt = cast(:attempt as integer) or cast(:attempt as integer) = 0)
                          and ended_at is null""")
                .setParameter("end", ended.at()).setParameter("job", ended.jobId())
                .setParameter("attempt", ended.attempt()).executeUpdate();
    }

    private boolean knownJob(String jobId) {
        return !em.createNativeQuery("select 1 from classic_job where job_id = :job")
                .setParameter("job", jobId).getResultList().isEmpty();
    }

    /** Whether any classic job of the scope (an account, a web service) was ever seen. */
    @Transactional
    public boolean classicScopeKnown(ClassicScope scope, String id) {
        return !em.createNativeQuery("select 1 from classic_job where " + column(scope) + " = :id limit 1")
                .setParameter("id", id).getResultList().isEmpty();
    }

    /** Start of the scope's earliest classic run, if it has any. */
    @Transactional
    public Optional<Instant> earliestRunStart(ClassicScope scope, String id) {
        return Optional.ofNullable(em.createQuery("select min(r.startedAt) from ClassicRunEntity r where r."
                        + field(scope) + " = :id", Instant.class)
                .setParameter("id", id).getSingleResult());
    }

    /** Classic runs of the scope that have time in, or start in, {@code [from, to)}. */
    @Transactional
    public List<JobRun> classicRuns(ClassicScope scope, String id, Instant from, Instant to) {
        return ClassicRunEntity.<ClassicRunEntity>list(field(scope) + " = ?1 and startedAt < ?2"
                                + " and (endedAt is null or endedAt > ?3 or startedAt >= ?3)",
                        Sort.by("startedAt").and("jobId").and("attempt"), id, to, from)
                .stream().map(ClassicRunEntity::toDomain).toList();
    }

    private static String field(ClassicScope scope) {
        return switch (scope) {
            case ACCOUNT -> "accountId";
            case SERVICE -> "serviceId";
        };
    }

    private static String column(ClassicScope scope) {
        return switch (scope) {
            case ACCOUNT -> "account_id";
            case SERVICE -> "service_id";
        };
    }

    /** Partition to last stored offset, for the partitions of {@code topic} that have one. */
    @Transactional
    public Map<Integer, Long> lastOffsets(String topic) {
        return ConsumerOffsetEntity.<ConsumerOffsetEntity>list("topic", topic).stream()
                .filter(o -> o.lastOffset >= 0)
                .collect(Collectors.toMap(o -> o.partition, o -> o.lastOffset));
    }

    /** Start of the earliest interval of the scope, if it has any. */
    @Transactional
    public Optional<Instant> earliestStart(UsageScope scope, String id) {
        return Optional.ofNullable(em.createQuery("select min(v.provisionedAt) from VmIntervalEntity v where v."
                        + field(scope) + " = :id", Instant.class)
                .setParameter("id", id).getSingleResult());
    }

    /** Intervals of the scope that overlap {@code [from, to)}. */
    @Transactional
    public List<VmInterval> overlapping(UsageScope scope, String id, Instant from, Instant to) {
        return VmIntervalEntity.<VmIntervalEntity>list(field(scope)
                                + " = ?1 and provisionedAt < ?2 and (deletedAt is null or deletedAt > ?3)",
                        Sort.by("provisionedAt").and("vmId"), id, to, from)
                .stream().map(VmIntervalEntity::toDomain).toList();
    }

    /** Every interval of a pool, oldest first. */
    @Transactional
    public List<VmInterval> poolIntervals(String poolId) {
        return VmIntervalEntity.<VmIntervalEntity>list("poolId", Sort.by("provisionedAt").and("vmId"), poolId)
                .stream().map(VmIntervalEntity::toDomain).toList();
    }

    private static String field(UsageScope scope) {
        return switch (scope) {
            case POOL -> "poolId";
            case PLAN -> "billingPlanId";
            case ACCOUNT -> "accountId";
        };
    }
}
