package io.batchpool.billing.rest;

import java.time.Instant;
import java.util.List;

/** The billed intervals of one pool's VMs. */
public record PoolVms(String poolId, List<Vm> vms) {

    /**
     * @param deletedAt     null while the VM still runs
     * @param computeMillis billed so far: until the deletion, or until now for a running VM
     */
    public record Vm(String vmId, String accountId, String billingPlanId, int slots, Instant provisionedAt,
                     Instant deletedAt, long computeMillis) {
    }
}
