package io.batchpool.gateway.service;

import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.ResizePool;
import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.AccountKeys;
import io.batchpool.gateway.domain.AccountLimits;
import io.batchpool.gateway.domain.Decision;
import io.batchpool.gateway.domain.PoolAdmission;
import io.batchpool.gateway.domain.PoolRecord;
import io.batchpool.gateway.domain.PoolSpec;
import io.batchpool.gateway.domain.PoolStatus;
import io.batchpool.gateway.publisher.OutboxWriter;
import io.batchpool.gateway.store.AccountEntity;
import io.batchpool.gateway.store.PoolEntity;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The shared classic pool (DESIGN §3): jobs without AzureBatchPoolId run on it. It is an ordinary pool of a system
 * account (no usable key, so no client can see or change it), created and resized to {@code batchpool.classic.vms}
 * at start-up through the same admission and outbox as every pool; its id is job-dispatcher's classic queue id.
 */
@ApplicationScoped
public class ClassicPool {
    private static final Logger LOG = Logger.getLogger(ClassicPool.class);
    /** The system account that owns the classic pool. */
    public static final String SYSTEM_ACCOUNT_ID = "00000000000000000000000000000000";

    private final OutboxWriter outbox;
    private final GatewayConfig config;
    private final Clock clock;

    @Inject
    public ClassicPool(OutboxWriter outbox, GatewayConfig config, Clock clock) {
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.classic().enabled()) {
            return;
        }
        try {
            ensure();
        } catch (RuntimeException e) {
            LOG.errorf("cannot set up the classic pool (jobs without AzureBatchPoolId wait until a restart does): %s",
                    e.toString());
        }
    }

    /** Creates the classic pool, or resizes it to the configured size; several gateways may run this at once. */
    @Transactional
    public void ensure() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        AccountEntity.getEntityManager().createNativeQuery("insert into account (id, name, key_hash, max_pools, "
                        + "max_vms_per_pool, disabled, created_at, updated_at) values (?1, 'batchpool-system', ?2, 1, ?3, "
                        + "false, ?4, ?4) on conflict (id) do nothing")
                .setParameter(1, SYSTEM_ACCOUNT_ID)
                .setParameter(2, AccountKeys.hash(AccountKeys.newKey())) // a key nobody holds
                .setParameter(3, AccountLimits.MAX_VMS_PER_POOL_CEILING)
                .setParameter(4, now)
                .executeUpdate();
        AccountEntity account = AccountEntity.lockedById(SYSTEM_ACCOUNT_ID).orElseThrow();
        String poolId = config.classic().poolId();
        PoolEntity pool = PoolEntity.findById(poolId, LockModeType.PESSIMISTIC_WRITE);
        int vms = config.classic().vms();
        if (pool == null) {
            PoolSpec spec = new PoolSpec(vms, config.classic().billingPlanId(), null, config.classic().slotsPerVm(),
                    "classic");
            Decision<CreatePool> d = PoolAdmission.create(account.limits(), 0, poolId, SYSTEM_ACCOUNT_ID,
                    config.classic().billingPlanId(), spec);
            if (d instanceof Decision.Accepted<CreatePool> accepted) {
                PoolRecord record = PoolRecord.created(accepted.command(), "classic");
                PoolEntity created = new PoolEntity();
                created.admit(record, now);
                created.persist();
                outbox.record(accepted.command(), record.version(), now);
                LOG.infof("classic pool %s created with %d VMs", poolId, vms);
            } else {
                LOG.errorf("classic pool %s not created: %s", poolId, d);
            }
            return;
        }
        if (pool.state != PoolStatus.ACTIVE) {
            LOG.errorf("classic pool %s is %s: classic jobs cannot run", poolId, pool.state);
            return;
        }
        Decision<ResizePool> d = PoolAdmission.resize(account.limits(), pool.toRecord(), vms);
        if (d instanceof Decision.Accepted<ResizePool> accepted) {
            PoolRecord next = pool.toRecord().apply(accepted.command());
            pool.admit(next, now);
            outbox.record(accepted.command(), next.version(), now);
            LOG.infof("classic pool %s resized to %d VMs", poolId, vms);
        }
    }
}
