package io.batchpool.contracts.pool;

public record PoolCreated(String poolId, String accountId, String billingPlanId, int targetVms, int slotsPerVm)
        implements PoolEvent {
}
