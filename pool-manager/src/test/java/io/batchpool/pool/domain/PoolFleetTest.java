package io.batchpool.pool.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.Message;
import io.batchpool.contracts.pool.CreatePool;
import io.batchpool.contracts.pool.DeletePool;
import io.batchpool.contracts.pool.PoolCreated;
import io.batchpool.contracts.pool.PoolDeleted;
import io.batchpool.contracts.pool.PoolDeletionStarted;
import io.batchpool.contracts.pool.PoolResized;
import io.batchpool.contracts.pool.PoolState;
import io.batchpool.contracts.pool.PoolStatusChanged;
import io.batchpool.contracts.pool.ResizePool;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmHeartbeat;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;
import io.batchpool.contracts.vm.VmSeenAfterLoss;
import io.batchpool.contracts.vm.VmState;
import io.batchpool.contracts.vm.VmStopped;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives the handlers, asserts the exact events they decided, then applies them (as the service does). */
class PoolFleetTest {
    static final String POOL = "p1";
    static final String ACCOUNT = "a1";
    static final String PLAN = "plan-1";
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration PROVISION_TIMEOUT = Duration.ofMinutes(5);

    Instant now = Instant.parse("2026-11-26T10:00:00Z");
    final AtomicInteger vmIds = new AtomicInteger();
    final PoolFleet fleet = new PoolFleet(() -> "vm" + vmIds.incrementAndGet());
    final Liveness liveness = new Liveness(Duration.ofSeconds(2));
    final List<Envelope<Message>> log = new ArrayList<>();
    long commandSeq;

    Decision run(Decision d) {
        for (Envelope<Message> e : d.events()) {
            fleet.apply(e);
            log.add(e);
        }
        Pool pool = fleet.pool(POOL);
        if (pool != null) {
            pool.checkInvariants();
            fleet.vms(POOL).values().forEach(Vm::checkInvariants);
        }
        return d;
    }

    Decision command(io.batchpool.contracts.pool.PoolCommand c) {
        return run(fleet.onCommand(Envelope.of(c, ++commandSeq, now), now));
    }

    Decision report(io.batchpool.contracts.vm.VmReport r) {
        Envelope<io.batchpool.contracts.vm.VmReport> e = Envelope.of(r, 1, now);
        liveness.observe(r.vmId(), now);
        return run(fleet.onReport(e, now));
    }

    /** Time passes while pool-manager reads (its polls return): log time moves on with it. */
    void readFor(Duration d) {
        Instant until = now.plus(d);
        liveness.read(now);
        while (now.isBefore(until)) {
            now = Duration.between(now, until).compareTo(Duration.ofSeconds(1)) > 0 ? now.plusSeconds(1) : until;
            liveness.read(now);
        }
    }

    Decision tick() {
        return run(fleet.onTick(now, liveness, HEARTBEAT_TIMEOUT, PROVISION_TIMEOUT));
    }

    static List<Message> payloads(Decision d) {
        return d.events().stream().map(Envelope::data).map(Message.class::cast).toList();
    }

    Decision createReadyPool(int vms) {
        command(new CreatePool(POOL, ACCOUNT, PLAN, vms, 1));
        Decision last = Decision.NONE;
        for (int i = 1; i <= vms; i++) {
            last = report(new VmBooted(POOL, "vm" + i, "agent", 1));
        }
        return last;
    }

    @Test
    void create_requests_the_vms_and_reports_them_provisioning() {
        Decision d = command(new CreatePool(POOL, ACCOUNT, PLAN, 2, 1));
        assertThat(payloads(d)).containsExactly(
                new PoolCreated(POOL, ACCOUNT, PLAN, 2, 1, 1),
                new VmRequested(POOL, "vm1", ACCOUNT, PLAN, 1),
                new VmRequested(POOL, "vm2", ACCOUNT, PLAN, 1),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 2, 2, 0, 0));
        assertThat(d.provisionerCommands()).containsExactly(new ProvisionVm("vm1", POOL, 1), new ProvisionVm("vm2", POOL, 1));
        assertThat(d.events()).extracting(Envelope::sequence).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void a_booted_vm_is_provisioned_at_the_agents_time_and_billed_from_then() {
        command(new CreatePool(POOL, ACCOUNT, PLAN, 1, 1));
        now = now.plusSeconds(30);
        Decision d = report(new VmBooted(POOL, "vm1", "agent", 1));
        assertThat(payloads(d)).containsExactly(
                new VmProvisioned(POOL, "vm1", ACCOUNT, PLAN, 1, now),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 1, 0, 1, 0));
        assertThat(fleet.vms(POOL).get("vm1").state()).isEqualTo(VmState.READY);
        assertThat(payloads(report(new VmBooted(POOL, "vm1", "agent", 1)))).as("a repeated boot report").isEmpty();
    }

    @Test
    void resize_down_drains_ready_vms_and_deletes_them_when_their_agent_stops_them() {
        createReadyPool(2);
        now = now.plusSeconds(3600);
        Decision d = command(new ResizePool(POOL, 0));
        assertThat(payloads(d)).containsExactly(
                new PoolResized(POOL, 2, 0, 2),
                new VmDrainStarted(POOL, "vm2"),
                new VmDrainStarted(POOL, "vm1"),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 0, 0, 0, 2));
        assertThat(d.provisionerCommands()).containsExactly(new DeprovisionVm("vm2", POOL), new DeprovisionVm("vm1", POOL));
        now = now.plusSeconds(2);
        Decision stopped = report(new VmStopped(POOL, "vm2", "agent"));
        assertThat(payloads(stopped)).containsExactly(
                new VmDeleted(POOL, "vm2", ACCOUNT, PLAN, now, VmDeletionReason.SCALED_DOWN, true),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 0, 0, 0, 1));
        assertThat(fleet.vms(POOL)).containsOnlyKeys("vm1");
    }

    @Test
    void resize_down_removes_provisioning_vms_first_without_billing_them() {
        command(new CreatePool(POOL, ACCOUNT, PLAN, 1, 1));
        report(new VmBooted(POOL, "vm1", "agent", 1));
        command(new ResizePool(POOL, 3));
        Decision d = command(new ResizePool(POOL, 1));
        assertThat(payloads(d)).containsExactly(
                new PoolResized(POOL, 3, 1, 3),
                new VmDeleted(POOL, "vm3", ACCOUNT, PLAN, now, VmDeletionReason.SCALED_DOWN, false),
                new VmDeleted(POOL, "vm2", ACCOUNT, PLAN, now, VmDeletionReason.SCALED_DOWN, false),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 1, 0, 1, 0));
        assertThat(d.provisionerCommands()).containsExactly(new DeprovisionVm("vm3", POOL), new DeprovisionVm("vm2", POOL));
        assertThat(payloads(report(new VmBooted(POOL, "vm2", "agent", 1)))).isEmpty();
        assertThat(fleet.onReport(Envelope.of(new VmBooted(POOL, "vm2", "agent", 1), 2, now), now).provisionerCommands())
                .as("a VM that boots after it was given up is switched off")
                .containsExactly(new DeprovisionVm("vm2", POOL));
    }

    @Test
    void resize_up_requests_only_the_missing_vms() {
        createReadyPool(1);
        Decision d = command(new ResizePool(POOL, 3));
        assertThat(payloads(d)).containsExactly(
                new PoolResized(POOL, 1, 3, 2),
                new VmRequested(POOL, "vm2", ACCOUNT, PLAN, 1),
                new VmRequested(POOL, "vm3", ACCOUNT, PLAN, 1),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 3, 2, 1, 0));
    }

    @Test
    void a_duplicated_or_old_command_changes_nothing() {
        command(new CreatePool(POOL, ACCOUNT, PLAN, 1, 1));
        command(new ResizePool(POOL, 4));
        Decision dup = fleet.onCommand(Envelope.of(new ResizePool(POOL, 4), 2, now), now);
        Decision old = fleet.onCommand(Envelope.of(new ResizePool(POOL, 0), 1, now), now);
        Decision create = fleet.onCommand(Envelope.of(new CreatePool(POOL, ACCOUNT, PLAN, 9, 1), 9, now), now);
        assertThat(dup.isEmpty()).isTrue();
        assertThat(old.isEmpty()).isTrue();
        assertThat(create.isEmpty()).as("a pool is created once").isTrue();
        assertThat(fleet.pool(POOL).targetVms()).isEqualTo(4);
    }

    @Test
    void a_silent_vm_is_lost_as_of_its_last_heartbeat_and_replaced() {
        createReadyPool(2);
        readFor(Duration.ofSeconds(60));
        Instant lastBeat = now;
        report(new VmHeartbeat(POOL, "vm1", "agent"));
        report(new VmHeartbeat(POOL, "vm2", "agent"));
        readFor(Duration.ofSeconds(5));
        report(new VmHeartbeat(POOL, "vm2", "agent"));
        readFor(Duration.ofSeconds(5));
        assertThat(tick().isEmpty()).as("not yet past the timeout").isTrue();
        readFor(Duration.ofSeconds(1));
        Decision d = tick();
        assertThat(payloads(d)).containsExactly(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, lastBeat, VmDeletionReason.LOST, true),
                new VmRequested(POOL, "vm3", ACCOUNT, PLAN, 1),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 2, 1, 1, 0));
        assertThat(d.provisionerCommands()).containsExactly(new DeprovisionVm("vm1", POOL), new ProvisionVm("vm3", POOL, 1));
    }

    @Test
    void while_pool_manager_cannot_read_no_vm_becomes_silent() {
        createReadyPool(2);
        readFor(Duration.ofSeconds(1));
        Instant lastBeat = now;
        report(new VmHeartbeat(POOL, "vm1", "agent"));
        report(new VmHeartbeat(POOL, "vm2", "agent"));
        now = now.plusSeconds(90); // the broker is down: no poll returns, no fetch succeeds
        assertThat(tick().isEmpty()).as("after the outage, before anything was read").isTrue();
        liveness.read(now);
        report(new VmHeartbeat(POOL, "vm2", "agent")); // vm2's agent reconnected first
        assertThat(tick().isEmpty()).as("time in the log has not moved on without vm1").isTrue();
        readFor(Duration.ofSeconds(10));
        assertThat(tick().isEmpty()).as("a whole timeout of readable time is given").isTrue();
        report(new VmHeartbeat(POOL, "vm1", "agent"));
        report(new VmHeartbeat(POOL, "vm2", "agent"));
        readFor(Duration.ofSeconds(10));
        assertThat(tick().isEmpty()).isTrue();
        assertThat(fleet.vms(POOL)).containsOnlyKeys("vm1", "vm2");
        assertThat(lastBeat).isBefore(now);
    }

    @Test
    void a_vm_that_stays_silent_after_an_outage_is_lost_as_of_its_last_heartbeat_before_it() {
        createReadyPool(2);
        readFor(Duration.ofSeconds(1));
        Instant lastBeat = now;
        report(new VmHeartbeat(POOL, "vm1", "agent"));
        report(new VmHeartbeat(POOL, "vm2", "agent"));
        now = now.plusSeconds(90);
        liveness.read(now);
        readFor(Duration.ofSeconds(10));
        report(new VmHeartbeat(POOL, "vm2", "agent"));
        assertThat(tick().isEmpty()).isTrue();
        readFor(Duration.ofSeconds(1));
        assertThat(payloads(tick())).containsExactly(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, lastBeat, VmDeletionReason.LOST, true),
                new VmRequested(POOL, "vm3", ACCOUNT, PLAN, 1),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 2, 1, 1, 0));
    }

    @Test
    void a_lone_dead_vm_is_lost_by_the_readers_own_fetches() {
        createReadyPool(1);
        Instant lastBeat = now;
        report(new VmHeartbeat(POOL, "vm1", "agent"));
        readFor(Duration.ofSeconds(10));
        assertThat(tick().isEmpty()).isTrue();
        readFor(Duration.ofSeconds(1));
        assertThat(payloads(tick())).startsWith(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, lastBeat, VmDeletionReason.LOST, true));
    }

    @Test
    void a_new_reader_watches_every_vm_for_a_whole_timeout_before_judging_it() {
        createReadyPool(1);
        Instant lastBeat = now;
        report(new VmHeartbeat(POOL, "vm1", "agent"));
        // pool-manager restarts 60 s later: a new reader, the VM's last heartbeat found in the lookback
        Liveness restarted = new Liveness(Duration.ofSeconds(2));
        restarted.observe("vm1", lastBeat);
        now = now.plusSeconds(60);
        restarted.read(now);
        assertThat(fleet.onTick(now, restarted, HEARTBEAT_TIMEOUT, PROVISION_TIMEOUT).isEmpty()).isTrue();
        for (int i = 0; i < 11; i++) {
            now = now.plusSeconds(1);
            restarted.read(now);
        }
        assertThat(payloads(fleet.onTick(now, restarted, HEARTBEAT_TIMEOUT, PROVISION_TIMEOUT))).startsWith(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, lastBeat, VmDeletionReason.LOST, true));
    }

    @Test
    void a_vm_declared_lost_that_reports_again_is_billed_until_it_stops_and_told_to_stop() {
        createReadyPool(1);
        Instant lastBeat = now;
        report(new VmHeartbeat(POOL, "vm1", "agent"));
        readFor(Duration.ofSeconds(11));
        assertThat(payloads(tick())).startsWith(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, lastBeat, VmDeletionReason.LOST, true));
        report(new VmBooted(POOL, "vm2", "agent", 1));
        now = lastBeat.minusSeconds(1);
        assertThat(report(new VmHeartbeat(POOL, "vm1", "agent")).isEmpty()).as("a report before the loss").isTrue();
        now = lastBeat.plusSeconds(12);
        Instant alive = now;
        Decision seen = report(new VmHeartbeat(POOL, "vm1", "agent"));
        assertThat(payloads(seen)).containsExactly(new VmSeenAfterLoss(POOL, "vm1", ACCOUNT, PLAN, alive, false));
        assertThat(seen.provisionerCommands()).containsExactly(new DeprovisionVm("vm1", POOL));
        now = now.plusSeconds(2);
        Decision stopped = report(new VmStopped(POOL, "vm1", "agent"));
        assertThat(payloads(stopped)).containsExactly(new VmSeenAfterLoss(POOL, "vm1", ACCOUNT, PLAN, now, true));
        assertThat(stopped.provisionerCommands()).isEmpty();
        now = now.plusSeconds(2);
        assertThat(report(new VmHeartbeat(POOL, "vm1", "agent")).isEmpty()).as("stopped: not heard of again").isTrue();
        assertThat(report(new VmStopped(POOL, "vm1", "agent")).isEmpty()).isTrue();
        assertThat(fleet.vms(POOL)).containsOnlyKeys("vm2");

        PoolFleet replayed = new PoolFleet(() -> "x");
        log.forEach(replayed::apply);
        assertThat(replayed.onReport(Envelope.of(new VmHeartbeat(POOL, "vm1", "agent"), 1, now), now).isEmpty())
                .as("replay knows the VM stopped").isTrue();
    }

    /** Declares the pool's VMs that heartbeat at {@code now} lost, 11 s of read time later (they stay silent). */
    List<String> loseAllVms() {
        List<String> vms = List.copyOf(fleet.vms(POOL).keySet());
        vms.forEach(vm -> report(new VmHeartbeat(POOL, vm, "agent")));
        readFor(Duration.ofSeconds(11));
        assertThat(payloads(tick())).filteredOn(m -> m instanceof VmDeleted d && d.reason() == VmDeletionReason.LOST)
                .hasSize(vms.size());
        return vms;
    }

    /**
     * VMs that die for good (the usual lost VM) never send VmStopped: their loss is remembered only for
     * LOST_MEMORY after they were last seen, so the memory holds at most a day of a pool's losses, however many VMs
     * die over time; and it is the same after a replay.
     */
    @Test
    void lost_vms_are_forgotten_a_day_after_they_were_last_seen_so_their_memory_stays_bounded() {
        createReadyPool(2);
        List<String> firstLost = loseAllVms();
        for (String vm : fleet.vms(POOL).keySet()) { // the replacements boot
            report(new VmBooted(POOL, vm, "agent", 1));
        }
        assertThat(fleet.lostVms()).isEqualTo(2);
        for (int day = 0; day < 20; day++) { // every 6 hours for 5 days, both VMs die and are replaced
            now = now.plus(Duration.ofHours(6));
            loseAllVms();
            for (String vm : fleet.vms(POOL).keySet()) {
                report(new VmBooted(POOL, vm, "agent", 1));
            }
            assertThat(fleet.lostVms()).as("at most a day of losses (4 rounds of 2)").isLessThanOrEqualTo(10);
        }
        // the first VMs died 5 days ago: a report of theirs now is a stranger's, no longer billed
        Decision late = report(new VmHeartbeat(POOL, firstLost.get(0), "agent"));
        assertThat(late.isEmpty()).isTrue();

        PoolFleet replayed = new PoolFleet(() -> "x");
        for (Envelope<Message> e : log) {
            replayed.apply(e);
            replayed.apply(e);
        }
        assertThat(replayed.lostVms()).isEqualTo(fleet.lostVms());
    }

    @Test
    void a_deleted_pool_forgets_its_lost_vms() {
        createReadyPool(2);
        loseAllVms();
        assertThat(fleet.lostVms()).isEqualTo(2);
        command(new DeletePool(POOL, false));
        assertThat(fleet.pool(POOL).state()).isEqualTo(PoolState.DELETED);
        assertThat(fleet.lostVms()).isZero();
        now = now.plusSeconds(5);
        assertThat(report(new VmHeartbeat(POOL, "vm1", "agent")).isEmpty()).isTrue();
    }

    @Test
    void a_vm_stuck_provisioning_is_given_up_and_replaced() {
        command(new CreatePool(POOL, ACCOUNT, PLAN, 1, 1));
        tick();
        readFor(PROVISION_TIMEOUT.plusSeconds(1));
        Decision d = tick();
        assertThat(payloads(d)).containsExactly(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, now, VmDeletionReason.LOST, false),
                new VmRequested(POOL, "vm2", ACCOUNT, PLAN, 1));
    }

    @Test
    void delete_removes_every_vm_then_the_pool_and_ignores_later_commands() {
        createReadyPool(1);
        command(new ResizePool(POOL, 2)); // vm2 provisioning
        Decision d = command(new DeletePool(POOL, false));
        assertThat(payloads(d)).containsExactly(
                new PoolDeletionStarted(POOL, false, 3),
                new VmDeleted(POOL, "vm2", ACCOUNT, PLAN, now, VmDeletionReason.POOL_DELETED, false),
                new VmDrainStarted(POOL, "vm1"),
                new PoolStatusChanged(POOL, PoolState.DELETING, 0, 0, 0, 1));
        assertThat(command(new ResizePool(POOL, 5)).isEmpty()).as("resize of a deleting pool").isTrue();
        assertThat(command(new DeletePool(POOL, false)).isEmpty()).as("repeated delete").isTrue();
        Decision stopped = report(new VmStopped(POOL, "vm1", "agent"));
        assertThat(payloads(stopped)).containsExactly(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, now, VmDeletionReason.POOL_DELETED, true),
                new PoolDeleted(POOL),
                new PoolStatusChanged(POOL, PoolState.DELETED, 0, 0, 0, 0));
        assertThat(command(new DeletePool(POOL, true)).isEmpty()).isTrue();
        assertThat(fleet.pool(POOL).state()).isEqualTo(PoolState.DELETED);
    }

    @Test
    void deleting_an_empty_pool_finishes_at_once() {
        command(new CreatePool(POOL, ACCOUNT, PLAN, 0, 1));
        assertThat(payloads(command(new DeletePool(POOL, false)))).containsExactly(
                new PoolDeletionStarted(POOL, false, 2),
                new PoolDeleted(POOL),
                new PoolStatusChanged(POOL, PoolState.DELETED, 0, 0, 0, 0));
    }

    @Test
    void an_unexpectedly_stopped_vm_is_replaced() {
        createReadyPool(1);
        Decision d = report(new VmStopped(POOL, "vm1", "agent"));
        assertThat(payloads(d)).containsExactly(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, now, VmDeletionReason.STOPPED, true),
                new VmRequested(POOL, "vm2", ACCOUNT, PLAN, 1),
                new PoolStatusChanged(POOL, PoolState.ACTIVE, 1, 1, 0, 0));
    }

    @Test
    void replaying_the_log_with_duplicates_rebuilds_the_same_state() {
        createReadyPool(3);
        command(new ResizePool(POOL, 1));
        report(new VmStopped(POOL, "vm3", "agent"));
        command(new ResizePool(POOL, 4));
        report(new VmBooted(POOL, "vm4", "agent", 1));

        PoolFleet replayed = new PoolFleet(() -> "unused");
        for (Envelope<Message> e : log) {
            replayed.apply(e);
            replayed.apply(e); // redelivered
        }
        for (Envelope<Message> e : log.subList(0, log.size() / 2)) {
            replayed.apply(e); // an old stretch again
        }
        assertThat(replayed.pool(POOL)).isEqualTo(fleet.pool(POOL));
        assertThat(replayed.vms(POOL)).isEqualTo(fleet.vms(POOL));
        Map<String, Vm> vms = replayed.vms(POOL);
        assertThat(vms.values()).extracting(Vm::state)
                .containsExactlyInAnyOrder(VmState.READY, VmState.READY, VmState.DRAINING, VmState.PROVISIONING,
                        VmState.PROVISIONING);
    }

    @Test
    void resize_down_takes_idle_vms_before_busy_ones() {
        createReadyPool(3);
        fleet.vmBusy("vm3");
        Decision d = command(new ResizePool(POOL, 2));
        assertThat(payloads(d)).contains(new VmDrainStarted(POOL, "vm2"));
        assertThat(d.provisionerCommands()).containsExactly(new DeprovisionVm("vm2", POOL));
    }

    @Test
    void a_busy_vm_drains_and_is_stopped_when_its_last_job_ends() {
        createReadyPool(2);
        fleet.vmBusy("vm1");
        Decision d = command(new ResizePool(POOL, 0));
        assertThat(payloads(d)).contains(new VmDrainStarted(POOL, "vm1"), new VmDrainStarted(POOL, "vm2"));
        assertThat(d.provisionerCommands()).as("only the idle VM is stopped now")
                .containsExactly(new DeprovisionVm("vm2", POOL));
        assertThat(fleet.onVmIdle(POOL, "vm1").isEmpty()).as("still busy").isTrue();
        assertThat(fleet.idleDrainingVms()).extracting(Vm::vmId).containsExactly("vm2");
        fleet.vmIdle("vm1");
        assertThat(fleet.onVmIdle(POOL, "vm1").provisionerCommands()).containsExactly(new DeprovisionVm("vm1", POOL));
        now = now.plusSeconds(30);
        Decision stopped = report(new VmStopped(POOL, "vm1", "agent"));
        assertThat(payloads(stopped)).contains(
                new VmDeleted(POOL, "vm1", ACCOUNT, PLAN, now, VmDeletionReason.SCALED_DOWN, true));
        assertThat(fleet.onVmIdle(POOL, "vm2").provisionerCommands()).as("a draining idle VM may be asked again")
                .containsExactly(new DeprovisionVm("vm2", POOL));
    }

    @Test
    void a_forced_delete_stops_busy_vms_at_once() {
        createReadyPool(2);
        fleet.vmBusy("vm1");
        command(new DeletePool(POOL, false));
        Decision forced = command(new DeletePool(POOL, true));
        assertThat(payloads(forced)).containsExactly(new PoolDeletionStarted(POOL, true, 3));
        assertThat(forced.provisionerCommands()).containsExactly(new DeprovisionVm("vm1", POOL));
        assertThat(fleet.onVmIdle(POOL, "vm2").provisionerCommands()).containsExactly(new DeprovisionVm("vm2", POOL));
        fleet.vmIdle("vm2");
        assertThat(fleet.onVmIdle(POOL, "vmX").isEmpty()).isTrue();
    }
}
