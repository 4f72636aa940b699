package io.batchpool.agent.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.VmReport;

import java.util.List;

/**
 * The answer of a {@link VmHost} decide method: why, and the events to apply (in order). The reports among them
 * are what to publish.
 */
public record Decision(Outcome outcome, List<HostEvent> events) {

    public enum Outcome {
        /** ProvisionVm accepted: the VM is BOOTING. */
        ADMITTED,
        /** ProvisionVm for a VM this process already hosts: nothing to do (commands are redelivered). */
        ALREADY_HOSTED,
        /** ProvisionVm that no VM can satisfy (fewer than one slot): ignored. */
        INVALID,
        /** ProvisionVm beyond {@code max-vms}: ignored. */
        AT_CAPACITY,
        /** ProvisionVm older than the command max age: pool-manager has given up on that VM long ago. */
        STALE,
        /** The boot delay elapsed: VmBooted. */
        BOOTED,
        /** A heartbeat tick: one VmHeartbeat per READY VM. */
        HEARTBEATS,
        /** DeprovisionVm (or a VM stopping while booting): VmStopped. */
        STOPPED,
        /** The VM is not hosted here (never was, or died with an earlier process), or not in a state for this. */
        NOT_HOSTED
    }

    public Decision {
        events = List.copyOf(events);
    }

    static Decision of(Outcome outcome, HostEvent... events) {
        return new Decision(outcome, List.of(events));
    }

    /** The reports to publish, in order. */
    public List<Envelope<VmReport>> reports() {
        return events.stream()
                .filter(HostEvent.Reported.class::isInstance)
                .map(e -> ((HostEvent.Reported) e).report())
                .toList();
    }
}
