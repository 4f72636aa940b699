package io.batchpool.contracts.vm;

public record DeprovisionVm(String vmId, String poolId) implements ProvisionerCommand {
}
