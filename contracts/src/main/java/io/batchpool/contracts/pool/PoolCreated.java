package io.batchpool.contracts.pool;

/**
 * The pool exists. {@code commandSequence} is the sequence of the CreatePool it answers: pool-manager rebuilds
 * from its events which command versions it has applied, so a command re-sent by the gateway's outbox is ignored.
 */
public record PoolCreated(String poolId, String accountId, String billingPlanId, int targetVms, int slotsPerVm,
                          long commandSequence) implements PoolEvent {
}
