package io.batchpool.contracts.vm;

import io.batchpool.contracts.Message;

/**
 * Commands on topic {@code batchpool.provisioner-commands.v1}, keyed by VM id, from pool-manager to the
 * provisioner that makes VMs (the local vm-agent process, or the Kubernetes provisioner).
 */
public sealed interface ProvisionerCommand extends Message permits ProvisionVm, DeprovisionVm {
    String vmId();

    String poolId();

    @Override
    default String aggregateId() {
        return vmId();
    }
}
