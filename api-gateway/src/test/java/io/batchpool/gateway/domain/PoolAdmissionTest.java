package io.batchpool.gateway.domain;

import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.DeletePool;
import io.batchpool.contracts.pool.ResizePool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PoolAdmissionTest {
    private static final String POOL = "0123456789abcdef0123456789abcdef";
    private static final String ACCOUNT = "fedcba9876543210fedcba9876543210";

    private static PoolSpec spec(int vms) {
        return new PoolSpec(vms, "plan-1", null, 2, "batch");
    }

    private static PoolRecord pool(PoolStatus status, int target) {
        return new PoolRecord(POOL, ACCOUNT, "p", "plan-1", 1, status, target, 3);
    }

    @ParameterizedTest(name = "maxPools={0} maxVms={1} active={2} vmCount={3} -> {4}")
    @CsvSource({
            // maxPools, maxVmsPerPool, activePools, vmCount, expected
            "2, 5, 0, 5, Accepted",
            "2, 5, 1, 0, Accepted",
            "2, 5, 2, 1, QuotaExceeded",
            "2, 5, 3, 1, QuotaExceeded",
            "2, 5, 0, 6, QuotaExceeded",
            "0, 5, 0, 0, QuotaExceeded",
            "1, 0, 0, 0, Accepted",
            "1, 0, 0, 1, QuotaExceeded",
    })
    void create(int maxPools, int maxVms, long active, int vmCount, String expected) {
        Decision<CreatePool> d = PoolAdmission.create(new AccountLimits(maxPools, maxVms), active, POOL, ACCOUNT,
                "plan-1", spec(vmCount));
        assertThat(outcome(d)).isEqualTo(expected);
        if (d instanceof Decision.Accepted<CreatePool> a) {
            assertThat(a.command()).isEqualTo(new CreatePool(POOL, ACCOUNT, "plan-1", vmCount, 2));
        }
    }

    @ParameterizedTest(name = "{0} target={1} maxVms={2} resize to {3} -> {4}")
    @CsvSource({
            // state, current target, maxVmsPerPool, vmCount, expected
            "ACTIVE,   2, 5, 5, Accepted",
            "ACTIVE,   2, 5, 0, Accepted",
            "ACTIVE,   2, 5, 6, QuotaExceeded",
            "ACTIVE,   2, 5, 2, Unchanged",
            "ACTIVE,   8, 5, 6, Accepted",        // quota lowered below the pool: shrinking is allowed
            "ACTIVE,   8, 5, 9, QuotaExceeded",
            "DELETING, 0, 5, 1, PoolDeleting",
            "DELETED,  0, 5, 1, PoolNotFound",
    })
    void resize(PoolStatus state, int target, int maxVms, int vmCount, String expected) {
        Decision<ResizePool> d = PoolAdmission.resize(new AccountLimits(10, maxVms), pool(state, target), vmCount);
        assertThat(outcome(d)).isEqualTo(expected);
        if (d instanceof Decision.Accepted<ResizePool> a) {
            assertThat(a.command()).isEqualTo(new ResizePool(POOL, vmCount));
        }
    }

    @ParameterizedTest(name = "{0} force={1} -> {2}")
    @CsvSource({
            "ACTIVE,   false, Accepted",
            "ACTIVE,   true,  Accepted",
            "DELETING, false, Unchanged",
            "DELETING, true,  Accepted",
            "DELETED,  false, PoolNotFound",
            "DELETED,  true,  PoolNotFound",
    })
    void delete(PoolStatus state, boolean force, String expected) {
        Decision<DeletePool> d = PoolAdmission.delete(pool(state, 2), force);
        assertThat(outcome(d)).isEqualTo(expected);
        if (d instanceof Decision.Accepted<DeletePool> a) {
            assertThat(a.command()).isEqualTo(new DeletePool(POOL, force));
        }
    }

    @Test
    void applyingAcceptedCommandsNumbersVersionsAndNeverCountsDeletingPools() {
        CreatePool create = new CreatePool(POOL, ACCOUNT, "plan-1", 3, 1);
        PoolRecord v1 = PoolRecord.created(create, "n");
        PoolRecord v2 = v1.apply(new ResizePool(POOL, 7));
        PoolRecord v3 = v2.apply(new DeletePool(POOL, false));

        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2).extracting(PoolRecord::version, PoolRecord::targetVms, PoolRecord::status)
                .containsExactly(2L, 7, PoolStatus.ACTIVE);
        assertThat(v3).extracting(PoolRecord::version, PoolRecord::targetVms, PoolRecord::status)
                .containsExactly(3L, 0, PoolStatus.DELETING);
        assertThat(v1.countsTowardsQuota()).isTrue();
        assertThat(v3.countsTowardsQuota()).isFalse();
        // deciding is pure: the same inputs give the same decision, and nothing was mutated
        assertThat(PoolAdmission.resize(new AccountLimits(1, 9), v2, 4)).isEqualTo(
                PoolAdmission.resize(new AccountLimits(1, 9), v2, 4));
        assertThat(v2.targetVms()).isEqualTo(7);
    }

    @Test
    void statesOnlyMoveForward() {
        assertThat(PoolStatus.DELETING.advanceTo(PoolStatus.ACTIVE)).isEqualTo(PoolStatus.DELETING);
        assertThat(PoolStatus.ACTIVE.advanceTo(PoolStatus.DELETED)).isEqualTo(PoolStatus.DELETED);
        assertThat(PoolStatus.DELETED.advanceTo(PoolStatus.DELETING)).isEqualTo(PoolStatus.DELETED);
    }

    private static String outcome(Decision<?> d) {
        if (d instanceof Decision.Rejected<?> r) {
            return r.rejection().code().name();
        }
        return d instanceof Decision.Accepted<?> ? "Accepted" : "Unchanged";
    }
}
