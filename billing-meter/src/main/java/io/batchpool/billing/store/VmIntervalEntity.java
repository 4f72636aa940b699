package io.batchpool.billing.store;

import io.batchpool.billing.domain.VmInterval;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A row of {@code vm_interval}; written with native upserts by {@link IntervalStore}, read through Panache. */
@Entity
@Table(name = "vm_interval")
public class VmIntervalEntity extends PanacheEntityBase {
    @Id
    @Column(name = "vm_id")
    public String vmId;
    @Column(name = "pool_id", nullable = false)
    public String poolId;
    @Column(name = "account_id")
    public String accountId;
    @Column(name = "billing_plan_id")
    public String billingPlanId;
    @Column(name = "slots", nullable = false)
    public int slots;
    @Column(name = "provisioned_at", nullable = false)
    public Instant provisionedAt;
    @Column(name = "deleted_at")
    public Instant deletedAt;

    public VmInterval toDomain() {
        return new VmInterval(vmId, poolId, accountId, billingPlanId, slots, provisionedAt, deletedAt);
    }
}
