package io.batchpool.contracts.vm;

import java.time.Instant;

/**
 * A VM declared lost reported again: it was alive. Billing of its interval, closed at its last heartbeat by
 * {@link VmDeleted}, extends to {@code seenAt} (the agent's time of the report), and never shrinks. It is told to
 * stop again; {@code stopped} is true for its {@link VmStopped} report, after which it is not heard of.
 */
public record VmSeenAfterLoss(String poolId, String vmId, String accountId, String billingPlanId, Instant seenAt,
                              boolean stopped) implements VmEvent {
}
