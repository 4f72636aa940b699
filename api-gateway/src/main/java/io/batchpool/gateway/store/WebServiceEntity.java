package io.batchpool.gateway.store;

import io.batchpool.gateway.domain.ServiceKind;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A web service of an account: kind, plan, current model version and the hashes of its two API keys. */
@Entity
@Table(name = "web_service")
public class WebServiceEntity extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "account_id")
    public String accountId;
    public String name;
    @Enumerated(EnumType.STRING)
    public ServiceKind kind;
    @Column(name = "billing_plan_id")
    public String billingPlanId;
    @Column(name = "current_version")
    public int currentVersion;
    @Column(name = "primary_key_hash")
    public String primaryKeyHash;
    @Column(name = "secondary_key_hash")
    public String secondaryKeyHash;
    public boolean deleted;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    /** The account's service unless deleted; another account's service is absent too. */
    public static Optional<WebServiceEntity> visible(String accountId, String serviceId, boolean lock) {
        WebServiceEntity s = lock ? findById(serviceId, LockModeType.PESSIMISTIC_WRITE) : findById(serviceId);
        if (s == null || s.deleted || !s.accountId.equals(accountId)) {
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public static List<WebServiceEntity> listOf(String accountId) {
        return list("accountId = ?1 and deleted = false order by createdAt, id", accountId);
    }
}
