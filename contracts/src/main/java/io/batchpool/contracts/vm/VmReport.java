package io.batchpool.contracts.vm;

import io.batchpool.contracts.Message;

/**
 * What a VM agent says about its own VM, on topic {@code batchpool.vm-reports.v1}, keyed by pool id (so that
 * pool-manager's partition owner sees them in order with the pool's commands). The envelope sequence counts the
 * reports of one VM; its time is the agent's clock.
 */
public sealed interface VmReport extends Message permits VmBooted, VmHeartbeat, VmStopped {
    String poolId();

    String vmId();

    @Override
    default String aggregateId() {
        return poolId();
    }
}
