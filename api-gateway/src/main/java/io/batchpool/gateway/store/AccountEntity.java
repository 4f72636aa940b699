package io.batchpool.gateway.store;

import io.batchpool.gateway.domain.AccountLimits;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/** An account = a subscription: quotas and the hash of its authorization key. */
@Entity
@Table(name = "account")
public class AccountEntity extends PanacheEntityBase {
    @Id
    public String id;
    public String name;
    @Column(name = "key_hash")
    public String keyHash;
    @Column(name = "max_pools")
    public int maxPools;
    @Column(name = "max_vms_per_pool")
    public int maxVmsPerPool;
    public boolean disabled;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public AccountLimits limits() {
        return new AccountLimits(maxPools, maxVmsPerPool);
    }

    public static Optional<AccountEntity> byKeyHash(String keyHash) {
        return find("keyHash", keyHash).firstResultOptional();
    }

    /** The account row locked until the transaction ends: serialises quota decisions of one account. */
    public static Optional<AccountEntity> lockedById(String id) {
        return Optional.ofNullable(findById(id, LockModeType.PESSIMISTIC_WRITE));
    }
}
