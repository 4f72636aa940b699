package io.batchpool.gateway.rest;

import io.batchpool.gateway.store.PoolEntity;

import java.time.Instant;

/** A pool as clients see it: the admitted target plus VM counts from the pool view. */
public record PoolResponse(String poolId, String name, String subscriptionId, String billingPlanId, int slotsPerVm,
                           String state, int targetVms, int vmsProvisioning, int vmsReady, int vmsDraining,
                           long version, Instant createdAt, Instant updatedAt) {

    static PoolResponse of(PoolEntity pool) {
        return new PoolResponse(pool.id, pool.name, pool.accountId, pool.billingPlanId, pool.slotsPerVm,
                pool.state.wireName(), pool.targetVms, pool.vmsProvisioning, pool.vmsReady, pool.vmsDraining,
                pool.version, pool.createdAt, pool.updatedAt);
    }
}
