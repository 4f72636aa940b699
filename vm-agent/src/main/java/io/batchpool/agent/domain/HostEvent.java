package io.batchpool.agent.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.VmReport;

import java.time.Instant;

/**
 * What the {@link VmHost} decided; {@link VmHost#apply(HostEvent)} is the only way it changes. A decision that
 * the outside world must hear about is a {@link Reported}: its envelope goes to the VM reports topic as is.
 */
public sealed interface HostEvent {
    String vmId();

    /** A ProvisionVm was accepted: the VM exists and is BOOTING. Nothing is published. */
    record VmAdmitted(String vmId, String poolId, int slots, Instant at) implements HostEvent {
    }

    /**
     * A report about one VM: VmBooted makes it READY, VmHeartbeat only advances its sequence, VmStopped removes
     * it.
     */
    record Reported(Envelope<VmReport> report) implements HostEvent {
        @Override
        public String vmId() {
            return report.data().vmId();
        }
    }
}
