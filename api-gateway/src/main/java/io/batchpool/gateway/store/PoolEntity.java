package io.batchpool.gateway.store;

import io.batchpool.gateway.domain.PoolRecord;
import io.batchpool.gateway.domain.PoolStatus;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.time.Instant;

/** A pool: what the gateway admitted (owner, plan, target, version) plus the view columns fed by pool events. */
@Entity
@Table(name = "pool")
@DynamicUpdate // the view consumer writes the count columns concurrently: update only what changed
public class PoolEntity extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "account_id")
    public String accountId;
    public String name;
    @Column(name = "billing_plan_id")
    public String billingPlanId;
    @Column(name = "slots_per_vm")
    public int slotsPerVm;
    @Enumerated(EnumType.STRING)
    public PoolStatus state;
    @Column(name = "target_vms")
    public int targetVms;
    public long version;
    @Column(name = "vms_provisioning")
    public int vmsProvisioning;
    @Column(name = "vms_ready")
    public int vmsReady;
    @Column(name = "vms_draining")
    public int vmsDraining;
    @Column(name = "view_sequence")
    public long viewSequence;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public PoolRecord toRecord() {
        return new PoolRecord(id, accountId, name, billingPlanId, slotsPerVm, state, targetVms, version);
    }

    /** Copies the admitted fields of a record (the view columns are the consumer's). */
    public void admit(PoolRecord record, Instant now) {
        id = record.poolId();
        accountId = record.accountId();
        name = record.name();
        billingPlanId = record.billingPlanId();
        slotsPerVm = record.slotsPerVm();
        state = record.status();
        targetVms = record.targetVms();
        version = record.version();
        if (createdAt == null) {
            createdAt = now;
        }
        updatedAt = now;
    }

    public static long countActive(String accountId) {
        return count("accountId = ?1 and state = ?2", accountId, PoolStatus.ACTIVE);
    }
}
