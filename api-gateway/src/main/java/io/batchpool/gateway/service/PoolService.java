package io.batchpool.gateway.service;

import io.batchpool.contracts.Ids;
import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.PoolCommand;
import io.batchpool.gateway.domain.Decision;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.PoolAdmission;
import io.batchpool.gateway.domain.PoolRecord;
import io.batchpool.gateway.domain.PoolSpec;
import io.batchpool.gateway.domain.PoolStatus;
import io.batchpool.gateway.publisher.OutboxWriter;
import io.batchpool.gateway.rest.ApiException;
import io.batchpool.gateway.store.AccountEntity;
import io.batchpool.gateway.store.PoolEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Pool admission (DESIGN §3): each command is decided and recorded in ONE transaction that holds the account row
 * lock: the pool row with its new version and the outbox row carrying the command. A rejection writes nothing.
 */
@ApplicationScoped
public class PoolService {
    private final OutboxWriter outbox;
    private final WebServiceService webServices;
    private final Clock clock;

    @Inject
    public PoolService(OutboxWriter outbox, WebServiceService webServices, Clock clock) {
        this.outbox = outbox;
        this.webServices = webServices;
        this.clock = clock;
    }

    @Transactional
    public PoolEntity create(String accountId, PoolSpec spec) {
        AccountEntity account = lockedAccount(accountId);
        String billingPlanId = spec.serviceUrl() != null ? webServices.planOf(accountId, spec.serviceUrl()) : spec.billingPlanId();
        String poolId = Ids.newId();
        CreatePool command = accepted(PoolAdmission.create(account.limits(), PoolEntity.countActive(accountId),
                poolId, accountId, billingPlanId, spec));
        PoolRecord record = PoolRecord.created(command, spec.name());
        Instant now = now();
        PoolEntity pool = new PoolEntity();
        pool.admit(record, now);
        pool.persist();
        outbox.record(command, record.version(), now);
        return pool;
    }

    @Transactional
    public List<PoolEntity> list(String accountId) {
        return PoolEntity.list("accountId = ?1 and state <> ?2 order by createdAt, id", accountId, PoolStatus.DELETED);
    }

    @Transactional
    public PoolEntity get(String accountId, String poolId) {
        return visiblePool(accountId, poolId, false);
    }

    @Transactional
    public PoolEntity resize(String accountId, String poolId, int vmCount) {
        AccountEntity account = lockedAccount(accountId);
        PoolEntity pool = visiblePool(accountId, poolId, true);
        return record(pool, PoolAdmission.resize(account.limits(), pool.toRecord(), vmCount));
    }

    @Transactional
    public PoolEntity delete(String accountId, String poolId, boolean force) {
        lockedAccount(accountId);
        PoolEntity pool = visiblePool(accountId, poolId, true);
        return record(pool, PoolAdmission.delete(pool.toRecord(), force));
    }

    private <C extends PoolCommand> PoolEntity record(PoolEntity pool, Decision<C> decision) {
        if (decision instanceof Decision.Unchanged<C>) {
            return pool;
        }
        C command = accepted(decision);
        PoolRecord next = pool.toRecord().apply(command);
        Instant now = now();
        pool.admit(next, now);
        outbox.record(command, next.version(), now);
        return pool;
    }

    private static <C> C accepted(Decision<C> decision) {
        if (decision instanceof Decision.Rejected<C> rejected) {
            throw new ApiException(rejected.rejection());
        }
        if (decision instanceof Decision.Accepted<C> accepted) {
            return accepted.command();
        }
        throw new IllegalStateException("no command in " + decision);
    }

    /** The account locked for this transaction; re-checked here since it may have been disabled meanwhile. */
    private static AccountEntity lockedAccount(String accountId) {
        AccountEntity account = AccountEntity.lockedById(accountId)
                .orElseThrow(() -> new ApiException(ErrorCode.Unauthorized, "no account " + accountId));
        if (account.disabled) {
            throw new ApiException(ErrorCode.AccountDisabled, "account " + accountId + " is disabled");
        }
        return account;
    }

    /**
     * The account's pool unless it is deleted: another account's pool is "not found" too. A command locks the
     * row so that the view consumer's concurrent update (e.g. to DELETED) is neither lost nor missed.
     */
    private static PoolEntity visiblePool(String accountId, String poolId, boolean lock) {
        PoolEntity pool = !Ids.isValid(poolId) ? null
                : lock ? PoolEntity.findById(poolId, LockModeType.PESSIMISTIC_WRITE) : PoolEntity.findById(poolId);
        if (pool == null || !pool.accountId.equals(accountId) || pool.state == PoolStatus.DELETED) {
            throw new ApiException(ErrorCode.PoolNotFound, Ids.isValid(poolId)
                    ? "no pool " + poolId : "no such pool (ids are 32 lowercase hex characters)");
        }
        return pool;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
