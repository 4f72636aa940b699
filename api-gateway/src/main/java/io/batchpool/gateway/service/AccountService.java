package io.batchpool.gateway.service;

import io.batchpool.contracts.Ids;
import io.batchpool.gateway.domain.AccountKeys;
import io.batchpool.gateway.domain.AccountLimits;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.PoolStatus;
import io.batchpool.gateway.rest.ApiException;
import io.batchpool.gateway.store.AccountEntity;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Operator use cases: accounts, quotas, keys. Quota changes lock the account row like pool admissions do. */
@ApplicationScoped
public class AccountService {
    private final Clock clock;

    @Inject
    WebServiceService webServices;

    @Inject
    public AccountService(Clock clock) {
        this.clock = clock;
    }

    /** An account with the usage its quotas are checked against. */
    public record AccountWithUsage(AccountEntity account, long pools, long vmsTargeted) {
    }

    /** An account and its fresh key (the only time the key is known in clear). */
    public record Created(AccountWithUsage account, String key) {
    }

    @Transactional
    public Created create(String name, AccountLimits limits) {
        String key = AccountKeys.newKey();
        Instant now = now();
        AccountEntity account = new AccountEntity();
        account.id = Ids.newId();
        account.name = name;
        account.keyHash = AccountKeys.hash(key);
        account.maxPools = limits.maxPools();
        account.maxVmsPerPool = limits.maxVmsPerPool();
        account.disabled = false;
        account.createdAt = now;
        account.updatedAt = now;
        account.persist();
        return new Created(new AccountWithUsage(account, 0, 0), key);
    }

    @Transactional
    public List<AccountWithUsage> list() {
        Map<String, long[]> usage = usage(null);
        List<AccountEntity> all = AccountEntity.list("order by createdAt, id");
        return all.stream().map(a -> withUsage(a, usage)).toList();
    }

    @Transactional
    public AccountWithUsage get(String accountId) {
        AccountEntity account = AccountEntity.<AccountEntity>findByIdOptional(checkedId(accountId))
                .orElseThrow(() -> notFound(accountId));
        return withUsage(account, usage(account.id));
    }

    @Transactional
    public AccountWithUsage updateLimits(String accountId, Integer maxPools, Integer maxVmsPerPool) {
        AccountEntity account = locked(accountId);
        AccountLimits limits = account.limits().with(maxPools, maxVmsPerPool);
        account.maxPools = limits.maxPools();
        account.maxVmsPerPool = limits.maxVmsPerPool();
        account.updatedAt = now();
        return withUsage(account, usage(account.id));
    }

    @Transactional
    public Created rotateKey(String accountId) {
        AccountEntity account = locked(accountId);
        webServices.forgetAuthorizations(); // the account key also authorizes BES calls
        String key = AccountKeys.newKey();
        account.keyHash = AccountKeys.hash(key);
        account.updatedAt = now();
        return new Created(withUsage(account, usage(account.id)), key);
    }

    @Transactional
    public AccountWithUsage setDisabled(String accountId, boolean disabled) {
        AccountEntity account = locked(accountId);
        webServices.forgetAuthorizations();
        account.disabled = disabled;
        account.updatedAt = now();
        return withUsage(account, usage(account.id));
    }

    private AccountEntity locked(String accountId) {
        return AccountEntity.lockedById(checkedId(accountId)).orElseThrow(() -> notFound(accountId));
    }

    private static String checkedId(String accountId) {
        if (!Ids.isValid(accountId)) {
            throw notFound(accountId);
        }
        return accountId;
    }

    private static ApiException notFound(String accountId) {
        return new ApiException(ErrorCode.AccountNotFound, Ids.isValid(accountId)
                ? "no account " + accountId : "no such account (ids are 32 lowercase hex characters)");
    }

    /** Active pools and the VMs they target, per account (all accounts when {@code accountId} is null). */
    private static Map<String, long[]> usage(String accountId) {
        String jpql = "select p.accountId, count(p), coalesce(sum(p.targetVms), 0) from PoolEntity p "
                + "where p.state = :active" + (accountId == null ? "" : " and p.accountId = :account")
                + " group by p.accountId";
        var query = Panache.getEntityManager().createQuery(jpql, Object[].class)
                .setParameter("active", PoolStatus.ACTIVE);
        if (accountId != null) {
            query.setParameter("account", accountId);
        }
        Map<String, long[]> usage = new HashMap<>();
        for (Object[] row : query.getResultList()) {
            usage.put((String) row[0], new long[] {((Number) row[1]).longValue(), ((Number) row[2]).longValue()});
        }
        return usage;
    }

    private static AccountWithUsage withUsage(AccountEntity account, Map<String, long[]> usage) {
        long[] u = usage.getOrDefault(account.id, new long[] {0, 0});
        return new AccountWithUsage(account, u[0], u[1]);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
