package io.batchpool.agent.domain;

import io.batchpool.agent.domain.Decision.Outcome;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmHeartbeat;
import io.batchpool.contracts.vm.VmReport;
import io.batchpool.contracts.vm.VmStopped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class VmHostTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String AGENT = "local-test-1";
    private static final String POOL = "p0000000000000000000000000000001";

    private final MutableClock clock = new MutableClock(T0);

    private VmHost host(int maxVms) {
        return new VmHost(AGENT, maxVms, Duration.ofMinutes(10), clock);
    }

    /** Decide, check the decision did not change the host, apply, check every VM's invariants. */
    private Decision run(VmHost host, Decision decision, List<HostEvent> log) {
        for (HostEvent e : decision.events()) {
            host.apply(e);
            log.add(e);
        }
        host.vms().forEach(LocalVm::checkInvariants);
        return decision;
    }

    /**
     * A tiny script per row, run on a host of {@code maxVms}: {@code provision <vm> [slots]}, {@code boot <vm>}, {@code tick},
     * {@code deprovision <vm>}, {@code wait <seconds>}. Expected: the outcome of each step, the reports published
     * (type vm #sequence) and the VMs left (vm=state).
     */
    static Stream<Arguments> scripts() {
        return Stream.of(
                arguments("provision, boot, heartbeats, deprovision", 12,
                        List.of("provision a 2", "tick", "wait 2", "boot a", "tick", "tick", "deprovision a", "tick"),
                        List.of("ADMITTED", "HEARTBEATS", "-", "BOOTED", "HEARTBEATS", "HEARTBEATS", "STOPPED", "HEARTBEATS"),
                        List.of("VmBooted a #1", "VmHeartbeat a #2", "VmHeartbeat a #3", "VmStopped a #4"),
                        ""),
                arguments("duplicate ProvisionVm is ignored, booting or ready", 12,
                        List.of("provision a", "provision a", "boot a", "provision a", "boot a"),
                        List.of("ADMITTED", "ALREADY_HOSTED", "BOOTED", "ALREADY_HOSTED", "NOT_HOSTED"),
                        List.of("VmBooted a #1"),
                        "a=READY"),
                arguments("deprovision while booting: VmStopped, never VmBooted", 12,
                        List.of("provision a", "deprovision a", "boot a", "tick"),
                        List.of("ADMITTED", "STOPPED", "NOT_HOSTED", "HEARTBEATS"),
                        List.of("VmStopped a #1"),
                        ""),
                arguments("unknown VM: deprovision and boot do nothing", 12,
                        List.of("deprovision x", "boot x", "tick"),
                        List.of("NOT_HOSTED", "NOT_HOSTED", "HEARTBEATS"),
                        List.of(),
                        ""),
                arguments("duplicate DeprovisionVm: the second finds nothing", 12,
                        List.of("provision a", "boot a", "deprovision a", "deprovision a"),
                        List.of("ADMITTED", "BOOTED", "STOPPED", "NOT_HOSTED"),
                        List.of("VmBooted a #1", "VmStopped a #2"),
                        ""),
                arguments("re-provisioned after a deprovision: a new VM, its counter starts again", 12,
                        List.of("provision a", "boot a", "deprovision a", "provision a", "boot a"),
                        List.of("ADMITTED", "BOOTED", "STOPPED", "ADMITTED", "BOOTED"),
                        List.of("VmBooted a #1", "VmStopped a #2", "VmBooted a #1"),
                        "a=READY"),
                arguments("one tick heartbeats every READY VM, not the BOOTING ones", 12,
                        List.of("provision a", "provision b", "provision c", "boot a", "boot c", "tick"),
                        List.of("ADMITTED", "ADMITTED", "ADMITTED", "BOOTED", "BOOTED", "HEARTBEATS"),
                        List.of("VmBooted a #1", "VmBooted c #1", "VmHeartbeat a #2", "VmHeartbeat c #2"),
                        "a=READY b=BOOTING c=READY"),
                arguments("max-vms: a ProvisionVm beyond it is ignored until a VM leaves", 2,
                        List.of("provision a", "provision b", "provision c", "deprovision a", "provision c"),
                        List.of("ADMITTED", "ADMITTED", "AT_CAPACITY", "STOPPED", "ADMITTED"),
                        List.of("VmStopped a #1"),
                        "b=BOOTING c=BOOTING"),
                arguments("a VM needs at least one slot", 12,
                        List.of("provision a 0"),
                        List.of("INVALID"),
                        List.of(),
                        ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void scripted(String name, int maxVms, List<String> steps, List<String> outcomes, List<String> reports, String vmsLeft) {
        VmHost host = host(maxVms);
        List<HostEvent> log = new ArrayList<>();
        List<String> seenOutcomes = new ArrayList<>();
        for (String step : steps) {
            String[] w = step.split(" ");
            Decision d = switch (w[0]) {
                case "provision" -> run(host, host.decideProvision(
                        new ProvisionVm(w[1], POOL, w.length > 2 ? Integer.parseInt(w[2]) : 1), clock.instant()), log);
                case "boot" -> run(host, host.decideBoot(w[1]), log);
                case "tick" -> run(host, host.decideHeartbeats(), log);
                case "deprovision" -> run(host, host.decideDeprovision(new DeprovisionVm(w[1], POOL)), log);
                case "wait" -> {
                    clock.advance(Duration.ofSeconds(Long.parseLong(w[1])));
                    yield null;
                }
                default -> throw new IllegalArgumentException(step);
            };
            seenOutcomes.add(d == null ? "-" : d.outcome().name());
        }
        assertThat(seenOutcomes).containsExactlyElementsOf(outcomes);
        assertThat(log.stream().filter(HostEvent.Reported.class::isInstance)
                .map(e -> ((HostEvent.Reported) e).report())
                .map(r -> r.type() + " " + r.data().vmId() + " #" + r.sequence()))
                .containsExactlyElementsOf(reports);
        assertThat(host.vms().stream().map(v -> v.vmId() + "=" + v.state()).collect(Collectors.joining(" ")))
                .isEqualTo(vmsLeft);
    }

    @Test
    void reportsCarryThePoolTheAgentAndTheClock() {
        VmHost host = host(10);
        List<HostEvent> log = new ArrayList<>();
        run(host, host.decideProvision(new ProvisionVm("a", POOL, 3), T0), log);
        clock.advance(Duration.ofSeconds(2));
        Decision booted = run(host, host.decideBoot("a"), log);

        Envelope<VmReport> report = booted.reports().get(0);
        assertThat(report.data()).isEqualTo(new VmBooted(POOL, "a", AGENT, 3));
        assertThat(report.aggregateId()).isEqualTo(POOL); // the record key: VM reports are keyed by pool id
        assertThat(report.occurredAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(report.sequence()).isEqualTo(1);
        assertThat(host.vm("a").orElseThrow().bootedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(host.vm("a").orElseThrow().requestedAt()).isEqualTo(T0);

        clock.advance(Duration.ofSeconds(1));
        assertThat(run(host, host.decideHeartbeats(), log).reports())
                .extracting(Envelope::data, Envelope::occurredAt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(new VmHeartbeat(POOL, "a", AGENT), T0.plusSeconds(3)));

        // the DeprovisionVm names another pool by mistake: VmStopped still goes to the VM's own pool
        assertThat(run(host, host.decideDeprovision(new DeprovisionVm("a", "other")), log).reports())
                .extracting(Envelope::data)
                .containsExactly(new VmStopped(POOL, "a", AGENT));
    }

    @Test
    void decideChangesNothing() {
        VmHost host = host(10);
        run(host, host.decideProvision(new ProvisionVm("a", POOL, 1), T0), new ArrayList<>());
        run(host, host.decideBoot("a"), new ArrayList<>());
        run(host, host.decideProvision(new ProvisionVm("b", POOL, 1), T0), new ArrayList<>());
        List<LocalVm> before = host.vms();

        host.decideProvision(new ProvisionVm("c", POOL, 1), T0);
        host.decideBoot("b");
        host.decideHeartbeats();
        host.decideDeprovision(new DeprovisionVm("a", POOL));

        assertThat(host.vms()).isEqualTo(before);
    }

    @Test
    void staleProvisionIsIgnored() {
        VmHost host = host(10);
        Instant sent = T0;
        clock.advance(Duration.ofMinutes(10));
        assertThat(host.decideProvision(new ProvisionVm("a", POOL, 1), sent).outcome()).isEqualTo(Outcome.ADMITTED);
        clock.advance(Duration.ofMillis(1));
        assertThat(host.decideProvision(new ProvisionVm("a", POOL, 1), sent).outcome()).isEqualTo(Outcome.STALE);
    }

    @Test
    void replayWithDuplicatesGivesTheSameState() {
        VmHost live = host(100);
        List<HostEvent> log = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            run(live, live.decideProvision(new ProvisionVm("vm" + i, POOL, 1 + i % 3), clock.instant()), log);
        }
        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 20; i += 2) {
            run(live, live.decideBoot("vm" + i), log);
        }
        for (int t = 0; t < 3; t++) {
            clock.advance(Duration.ofSeconds(1));
            run(live, live.decideHeartbeats(), log);
        }
        for (int i = 0; i < 20; i += 3) {
            run(live, live.decideDeprovision(new DeprovisionVm("vm" + i, POOL)), log);
        }

        VmHost replayed = host(100);
        for (HostEvent e : log) {
            replayed.apply(e);
            replayed.apply(e); // at-least-once: every event twice
        }
        // and an old report applied again late changes nothing either
        log.stream().filter(HostEvent.Reported.class::isInstance).limit(5).forEach(replayed::apply);

        assertThat(replayed.vms()).isEqualTo(live.vms()).isNotEmpty();
        assertThat(live.vms()).allSatisfy(LocalVm::checkInvariants);
    }

    @Test
    void hundredsOfVmsHeartbeatInOneTick() {
        VmHost host = host(2000);
        List<HostEvent> log = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            run(host, host.decideProvision(new ProvisionVm("vm" + i, POOL, 1), T0), log);
            run(host, host.decideBoot("vm" + i), log);
        }
        Decision tick = run(host, host.decideHeartbeats(), log);
        assertThat(tick.reports()).hasSize(800).allSatisfy(r -> {
            assertThat(r.data()).isInstanceOf(VmHeartbeat.class);
            assertThat(r.sequence()).isEqualTo(2);
        });
        assertThat(host.vms()).allSatisfy(vm -> assertThat(vm.lastSequence()).isEqualTo(2));
    }

    @Test
    void stateTransitionsAndInvariants() {
        assertThat(LocalVmState.BOOTING.canBecome(LocalVmState.READY)).isTrue();
        assertThat(LocalVmState.READY.canBecome(LocalVmState.BOOTING)).isFalse();
        assertThat(LocalVmState.READY.canBecome(LocalVmState.READY)).isFalse();

        LocalVm booting = LocalVm.booting("a", POOL, 1, T0).checkInvariants();
        LocalVm ready = booting.withReady(T0.plusSeconds(1), 1).checkInvariants();
        assertThatThrownBy(() -> ready.withReady(T0, 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LocalVm.booting("a", POOL, 0, T0).checkInvariants())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> booting.withLastSequence(3).checkInvariants())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new LocalVm("a", POOL, 1, LocalVmState.READY, T0, T0.minusSeconds(1), 1)
                .checkInvariants()).isInstanceOf(IllegalStateException.class);
    }
}
