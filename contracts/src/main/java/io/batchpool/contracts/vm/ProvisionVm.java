package io.batchpool.contracts.vm;

public record ProvisionVm(String vmId, String poolId, int slots) implements ProvisionerCommand {
}
