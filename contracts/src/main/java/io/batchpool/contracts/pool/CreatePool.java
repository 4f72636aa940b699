package io.batchpool.contracts.pool;

/** Create a pool of {@code targetVms} VMs (0 allowed) billed to {@code billingPlanId}. */
public record CreatePool(String poolId, String accountId, String billingPlanId, int targetVms, int slotsPerVm)
        implements PoolCommand {
}
