package io.batchpool.agent.service;

import io.batchpool.agent.config.AgentConfig;
import io.batchpool.agent.domain.Decision;
import io.batchpool.agent.domain.HostEvent;
import io.batchpool.agent.domain.LocalVm;
import io.batchpool.agent.domain.VmHost;
import io.batchpool.agent.publisher.VmReportPublisher;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmStopped;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs the {@link VmHost} on one scheduler thread, its only owner: commands, boots and heartbeat ticks are tasks
 * on that thread, so the host needs no locks. Each task asks the host to decide, publishes the reports of the
 * decision and applies its events.
 */
@ApplicationScoped
public class LocalProvisioner {
    private static final Logger LOG = Logger.getLogger(LocalProvisioner.class);

    private final AgentConfig config;
    private final VmReportPublisher publisher;
    private final Clock clock;
    private final String agentId;

    private VmHost host;
    private ScheduledExecutorService hostThread;
    /** Pending boots by VM id; touched only on the host thread. */
    private final Map<String, ScheduledFuture<?>> boots = new HashMap<>();
    /** Told the id of every VM that stopped (on the host thread, after the host removed it): must not block. */
    private final List<Consumer<String>> stopListeners = new CopyOnWriteArrayList<>();

    public LocalProvisioner(AgentConfig config, VmReportPublisher publisher, Clock clock) {
        this.config = config;
        this.publisher = publisher;
        this.clock = clock;
        this.agentId = config.agentId().filter(id -> !id.isBlank()).orElseGet(LocalProvisioner::defaultAgentId);
    }

    public String agentId() {
        return agentId;
    }

    public synchronized void start() {
        host = new VmHost(agentId, config.maxVms(), config.commandMaxAge(), clock);
        hostThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vm-host");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, config.heartbeatInterval().toMillis());
        hostThread.scheduleAtFixedRate(this::heartbeatTick, period, period, TimeUnit.MILLISECONDS);
        LOG.infof("local provisioner %s started (boot delay %s, heartbeat every %s, at most %d VMs)", agentId,
                config.bootDelay(), config.heartbeatInterval(), config.maxVms());
    }

    /**
     * Stops booting and heartbeating without a word: the VMs die with the process, and pool-manager declares them
     * lost when their heartbeats stop.
     */
    public synchronized void stop() {
        if (hostThread != null) {
            hostThread.shutdownNow();
            try {
                hostThread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.infof("local provisioner %s stopped; its %d VMs die with it (no VmStopped)", agentId, host.size());
        }
    }

    /**
     * {@code listener} is called with the id of each VM that stops here (VmStopped), on the host thread, once the VM
     * is no longer hosted; it must return quickly.
     */
    public void onVmStopped(Consumer<String> listener) {
        stopListeners.add(listener);
    }

    /** Queues a command for the host thread; the future completes once it is handled and its reports are sent. */
    public Future<?> submit(Envelope<ProvisionerCommand> command) {
        return hostThread.submit(() -> handle(command));
    }

    /** A copy of the hosted VMs, taken on the host thread. */
    public List<LocalVm> vms() {
        ScheduledExecutorService thread = hostThread;
        if (thread == null || thread.isShutdown()) {
            return List.of();
        }
        try {
            return thread.submit(host::vms).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (RejectedExecutionException e) {
            return List.of(); // shutting down
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the VM host did not answer: " + e, e);
        }
    }

    /** The hosted VM with this id (BOOTING or READY), asked on the host thread. */
    public java.util.Optional<LocalVm> vm(String vmId) {
        return vms().stream().filter(vm -> vm.vmId().equals(vmId)).findFirst();
    }

    private void handle(Envelope<ProvisionerCommand> envelope) {
        ProvisionerCommand command = envelope.data();
        if (command instanceof ProvisionVm provision) {
            Decision decision = host.decideProvision(provision, envelope.occurredAt());
            switch (decision.outcome()) {
                case ADMITTED -> {
                    execute(decision);
                    scheduleBoot(provision.vmId());
                    LOG.debugf("VM %s of pool %s booting (%d slots)", provision.vmId(), provision.poolId(),
                            provision.slots());
                }
                case ALREADY_HOSTED -> LOG.debugf("VM %s already hosted; ProvisionVm ignored", provision.vmId());
                case AT_CAPACITY -> LOG.warnf("VM %s of pool %s not provisioned: this process hosts its maximum of "
                        + "%d VMs", provision.vmId(), provision.poolId(), config.maxVms());
                case STALE -> LOG.infof("VM %s of pool %s not provisioned: the ProvisionVm of %s is older than %s",
                        provision.vmId(), provision.poolId(), envelope.occurredAt(), config.commandMaxAge());
                case INVALID -> LOG.warnf("VM %s of pool %s not provisioned: %d slots", provision.vmId(),
                        provision.poolId(), provision.slots());
                default -> throw new IllegalStateException("unexpected " + decision.outcome());
            }
        } else if (command instanceof DeprovisionVm deprovision) {
            ScheduledFuture<?> boot = boots.remove(deprovision.vmId());
            if (boot != null) {
                boot.cancel(false);
            }
            Decision decision = host.decideDeprovision(deprovision);
            if (decision.outcome() == Decision.Outcome.NOT_HOSTED) {
                LOG.infof("DeprovisionVm for VM %s of pool %s, which this process does not host; pool-manager's "
                        + "heartbeat timeout covers it", deprovision.vmId(), deprovision.poolId());
            } else {
                execute(decision);
                LOG.debugf("VM %s of pool %s stopped", deprovision.vmId(), deprovision.poolId());
            }
        }
    }

    private void scheduleBoot(String vmId) {
        long delay = Math.max(0, config.bootDelay().toMillis());
        boots.put(vmId, hostThread.schedule(() -> boot(vmId), delay, TimeUnit.MILLISECONDS));
    }

    private void boot(String vmId) {
        boots.remove(vmId);
        execute(host.decideBoot(vmId));
    }

    private void heartbeatTick() {
        try {
            execute(host.decideHeartbeats());
        } catch (RuntimeException e) {
            // an exception would cancel the periodic task: log it and keep ticking
            LOG.error("heartbeat tick failed", e);
        }
    }

    /** Publish the decision's reports, then apply its events (on the host thread); a stopped VM is announced. */
    private void execute(Decision decision) {
        for (HostEvent event : decision.events()) {
            boolean stopped = false;
            if (event instanceof HostEvent.Reported reported) {
                Envelope<VmReport> report = reported.report();
                publisher.publish(report);
                stopped = report.data() instanceof VmStopped;
            }
            if (host.apply(event) && stopped) {
                for (Consumer<String> listener : stopListeners) {
                    try {
                        listener.accept(event.vmId());
                    } catch (RuntimeException e) {
                        LOG.errorf("VM %s stopped, but a listener failed: %s", event.vmId(), e.toString());
                    }
                }
            }
        }
    }

    static String defaultAgentId() {
        String hostname;
        try {
            hostname = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            hostname = "localhost";
        }
        return "local-" + hostname + "-" + ProcessHandle.current().pid();
    }
}
