package io.batchpool.agent.domain;

import io.batchpool.agent.domain.Decision.Outcome;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmHeartbeat;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmStopped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The VMs this local provisioner process hosts. Each is a worker in this process: it boots after a delay,
 * announces itself with VmBooted, sends heartbeats while READY, and says VmStopped when deprovisioned.
 *
 * <p>Decide methods look at the state and return a {@link Decision} (the events, among them the reports to
 * publish) without changing anything; {@link #apply(HostEvent)} is the only mutator. Not thread-safe: one thread
 * owns a host.
 *
 * <p>The envelope sequence of a VM's reports is a per-VM counter starting at 1 (VmBooted, then each heartbeat,
 * then VmStopped); the envelope time is this host's clock.
 */
public final class VmHost {
    private final String agentId;
    private final int maxVms;
    private final Duration commandMaxAge;
    private final Clock clock;
    private final Map<String, LocalVm> vms = new LinkedHashMap<>();

    /**
     * @param commandMaxAge a ProvisionVm older than this (its envelope time against this clock) is stale: it is
     *                      history read by a fresh consumer group, and pool-manager gave up on that VM long ago
     */
    public VmHost(String agentId, int maxVms, Duration commandMaxAge, Clock clock) {
        this.agentId = Objects.requireNonNull(agentId, "agentId");
        if (maxVms < 0) {
            throw new IllegalArgumentException("maxVms must be >= 0");
        }
        this.maxVms = maxVms;
        this.commandMaxAge = Objects.requireNonNull(commandMaxAge, "commandMaxAge");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String agentId() {
        return agentId;
    }

    /** ProvisionVm: admit a BOOTING VM (nothing is published until it has booted). */
    public Decision decideProvision(ProvisionVm command, Instant commandTime) {
        if (vms.containsKey(command.vmId())) {
            return Decision.of(Outcome.ALREADY_HOSTED);
        }
        Instant now = clock.instant();
        if (commandTime.plus(commandMaxAge).isBefore(now)) {
            return Decision.of(Outcome.STALE);
        }
        if (command.slots() < 1) {
            return Decision.of(Outcome.INVALID);
        }
        if (vms.size() >= maxVms) {
            return Decision.of(Outcome.AT_CAPACITY);
        }
        return Decision.of(Outcome.ADMITTED,
                new HostEvent.VmAdmitted(command.vmId(), command.poolId(), command.slots(), now));
    }

    /** The boot delay of a VM elapsed: a BOOTING VM becomes READY and says VmBooted. */
    public Decision decideBoot(String vmId) {
        LocalVm vm = vms.get(vmId);
        if (vm == null || vm.state() != LocalVmState.BOOTING) {
            return Decision.of(Outcome.NOT_HOSTED);
        }
        return Decision.of(Outcome.BOOTED,
                report(new VmBooted(vm.poolId(), vm.vmId(), agentId, vm.slots()), vm.nextSequence()));
    }

    /** One heartbeat tick: a VmHeartbeat for every READY VM (BOOTING ones are silent). */
    public Decision decideHeartbeats() {
        List<HostEvent> events = new ArrayList<>();
        for (LocalVm vm : vms.values()) {
            if (vm.state() == LocalVmState.READY) {
                events.add(report(new VmHeartbeat(vm.poolId(), vm.vmId(), agentId), vm.nextSequence()));
            }
        }
        return new Decision(Outcome.HEARTBEATS, events);
    }

    /**
     * DeprovisionVm: the VM stops (booting or ready) and says VmStopped, keyed by the pool it was provisioned
     * for. A VM not hosted here is left to pool-manager's heartbeat timeout.
     */
    public Decision decideDeprovision(DeprovisionVm command) {
        LocalVm vm = vms.get(command.vmId());
        if (vm == null) {
            return Decision.of(Outcome.NOT_HOSTED);
        }
        return Decision.of(Outcome.STOPPED,
                report(new VmStopped(vm.poolId(), vm.vmId(), agentId), vm.nextSequence()));
    }

    /**
     * The only mutator. Applying an event twice, or a report whose sequence is not newer than the VM's last,
     * changes nothing.
     *
     * @return whether the state changed
     */
    public boolean apply(HostEvent event) {
        if (event instanceof HostEvent.VmAdmitted admitted) {
            return vms.putIfAbsent(admitted.vmId(),
                    LocalVm.booting(admitted.vmId(), admitted.poolId(), admitted.slots(), admitted.at())) == null;
        }
        Envelope<VmReport> report = ((HostEvent.Reported) event).report();
        LocalVm vm = vms.get(event.vmId());
        if (vm == null || report.sequence() <= vm.lastSequence()) {
            return false;
        }
        VmReport data = report.data();
        if (data instanceof VmStopped) {
            vms.remove(vm.vmId());
        } else if (data instanceof VmBooted && vm.state() == LocalVmState.BOOTING) {
            vms.put(vm.vmId(), vm.withReady(report.occurredAt(), report.sequence()));
        } else {
            vms.put(vm.vmId(), vm.withLastSequence(report.sequence()));
        }
        return true;
    }

    public Optional<LocalVm> vm(String vmId) {
        return Optional.ofNullable(vms.get(vmId));
    }

    /** The hosted VMs in the order they were admitted. */
    public List<LocalVm> vms() {
        return List.copyOf(vms.values());
    }

    public int size() {
        return vms.size();
    }

    private HostEvent report(VmReport data, long sequence) {
        return new HostEvent.Reported(Envelope.of(data, sequence, clock.instant()));
    }
}
