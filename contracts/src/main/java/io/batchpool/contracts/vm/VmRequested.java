package io.batchpool.contracts.vm;

/** pool-manager asked the provisioner for this VM; it is PROVISIONING and not billed yet. */
public record VmRequested(String poolId, String vmId, String accountId, String billingPlanId, int slots)
        implements VmEvent {
}
