package io.batchpool.dispatch.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class DispatchBoardTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String P = "p0000000000000000000000000000001";
    private static final String Q = "q0000000000000000000000000000002";

    static Envelope<VmEvent> requested(String pool, long seq, String vm, int slots) {
        return Envelope.of(new VmRequested(pool, vm, "acct", "plan", slots), seq, T0.plusSeconds(seq));
    }

    static Envelope<VmEvent> provisioned(String pool, long seq, String vm, int slots) {
        return Envelope.of(new VmProvisioned(pool, vm, "acct", "plan", slots, T0.plusSeconds(seq)), seq,
                T0.plusSeconds(seq));
    }

    static Envelope<VmEvent> drain(String pool, long seq, String vm) {
        return Envelope.of(new VmDrainStarted(pool, vm), seq, T0.plusSeconds(seq));
    }

    static Envelope<VmEvent> deleted(String pool, long seq, String vm) {
        return Envelope.of(new VmDeleted(pool, vm, "acct", "plan", T0.plusSeconds(seq), VmDeletionReason.SCALED_DOWN,
                true), seq, T0.plusSeconds(seq));
    }

    /** Each row: events applied in order, whether each was applied, and pool P's capacity afterwards. */
    static Stream<Arguments> rows() {
        return Stream.of(
                arguments("a requested VM makes the pool known but offers nothing",
                        List.of(requested(P, 1, "a", 2)), List.of(true),
                        new PoolCapacity(P, 0, 0, 0, 0)),
                arguments("provisioned VMs add their slots",
                        List.of(requested(P, 1, "a", 2), provisioned(P, 2, "a", 2), provisioned(P, 3, "b", 3)),
                        List.of(true, true, true),
                        new PoolCapacity(P, 2, 5, 5, 0)),
                arguments("a draining VM keeps its slots in the total but offers none",
                        List.of(provisioned(P, 1, "a", 2), provisioned(P, 2, "b", 3), drain(P, 3, "b")),
                        List.of(true, true, true),
                        new PoolCapacity(P, 2, 5, 2, 1)),
                arguments("deleted VMs leave; the pool stays known with zero VMs",
                        List.of(provisioned(P, 1, "a", 2), drain(P, 2, "a"), deleted(P, 3, "a")),
                        List.of(true, true, true),
                        new PoolCapacity(P, 0, 0, 0, 0)),
                arguments("a VM deleted while provisioning never offered a slot",
                        List.of(requested(P, 1, "a", 1), deleted(P, 2, "a")),
                        List.of(true, true),
                        new PoolCapacity(P, 0, 0, 0, 0)),
                arguments("an event whose sequence is not newer is ignored (duplicate or older)",
                        List.of(provisioned(P, 5, "a", 2), provisioned(P, 5, "b", 9), deleted(P, 4, "a"),
                                provisioned(P, 6, "c", 1)),
                        List.of(true, false, false, true),
                        new PoolCapacity(P, 2, 3, 3, 0)),
                arguments("sequences are per pool: another pool's numbers do not matter",
                        List.of(provisioned(Q, 9, "x", 4), provisioned(P, 1, "a", 2), deleted(Q, 10, "x")),
                        List.of(true, true, true),
                        new PoolCapacity(P, 1, 2, 2, 0)),
                arguments("drain or delete of an unknown VM changes no slot",
                        List.of(provisioned(P, 1, "a", 2), drain(P, 2, "ghost"), deleted(P, 3, "ghost")),
                        List.of(true, true, true),
                        new PoolCapacity(P, 1, 2, 2, 0)),
                arguments("a second drain of the same VM is harmless",
                        List.of(provisioned(P, 1, "a", 2), drain(P, 2, "a"), drain(P, 3, "a")),
                        List.of(true, true, true),
                        new PoolCapacity(P, 1, 2, 0, 1)),
                arguments("a second VmProvisioned for a known VM does not change it",
                        List.of(provisioned(P, 1, "a", 2), drain(P, 2, "a"), provisioned(P, 3, "a", 2)),
                        List.of(true, true, true),
                        new PoolCapacity(P, 1, 2, 0, 1)),
                arguments("gaps in the sequence are fine",
                        List.of(provisioned(P, 3, "a", 1), provisioned(P, 10, "b", 1)),
                        List.of(true, true),
                        new PoolCapacity(P, 2, 2, 2, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void table(String name, List<Envelope<VmEvent>> events, List<Boolean> applied, PoolCapacity expected) {
        DispatchBoard board = new DispatchBoard();
        List<Boolean> seen = new ArrayList<>();
        for (Envelope<VmEvent> e : events) {
            seen.add(board.apply(e));
            board.checkInvariants();
        }
        assertThat(seen).containsExactlyElementsOf(applied);
        assertThat(board.capacity(P)).contains(expected);
    }

    @Test
    void unknownPoolHasNoCapacity() {
        DispatchBoard board = new DispatchBoard();
        board.apply(provisioned(Q, 1, "x", 1));
        assertThat(board.capacity(P)).isEmpty();
        assertThat(board.vms(P)).isEmpty();
        assertThat(board.lastSequence(P)).isZero();
        assertThat(board.poolCount()).isEqualTo(1);
    }

    @Test
    void replayWithDuplicatesGivesTheSameBoard() {
        List<Envelope<VmEvent>> log = new ArrayList<>();
        long p = 0;
        long q = 0;
        for (int i = 0; i < 30; i++) {
            log.add(requested(P, ++p, "p" + i, 2));
            log.add(provisioned(P, ++p, "p" + i, 2));
            log.add(provisioned(Q, ++q, "q" + i, 1));
        }
        for (int i = 0; i < 30; i += 3) {
            log.add(drain(P, ++p, "p" + i));
            log.add(deleted(Q, ++q, "q" + i));
        }
        for (int i = 0; i < 30; i += 6) {
            log.add(deleted(P, ++p, "p" + i));
        }
        DispatchBoard live = new DispatchBoard();
        log.forEach(live::apply);

        // at-least-once delivery: every record twice, plus a random sample of old records again at the end
        DispatchBoard replayed = new DispatchBoard();
        for (Envelope<VmEvent> e : log) {
            replayed.apply(e);
            replayed.apply(e);
        }
        List<Envelope<VmEvent>> shuffled = new ArrayList<>(log);
        Collections.shuffle(shuffled, new Random(42));
        shuffled.subList(0, 40).forEach(e -> assertThat(replayed.apply(e)).isFalse());

        for (String pool : List.of(P, Q)) {
            assertThat(replayed.capacity(pool)).isEqualTo(live.capacity(pool));
            assertThat(replayed.vms(pool)).isEqualTo(live.vms(pool));
            assertThat(replayed.lastSequence(pool)).isEqualTo(live.lastSequence(pool));
        }
        // 30 provisioned, 5 deleted, 5 of the remaining 25 drain (every third: 10 drained, 5 of them deleted)
        assertThat(live.capacity(P)).contains(new PoolCapacity(P, 25, 50, 40, 5));
        assertThat(live.capacity(Q)).contains(new PoolCapacity(Q, 20, 20, 20, 0));
    }

    @Test
    void stateTransitions() {
        assertThat(SlotVmState.READY.canBecome(SlotVmState.DRAINING)).isTrue();
        assertThat(SlotVmState.DRAINING.canBecome(SlotVmState.READY)).isFalse();
        assertThat(SlotVmState.DRAINING.offersSlots()).isFalse();
        SlotVm draining = SlotVm.ready("a", 2).withState(SlotVmState.DRAINING);
        assertThat(draining.freeSlots()).isZero();
        assertThatThrownBy(() -> draining.withState(SlotVmState.READY)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new SlotVm("a", -1, SlotVmState.READY).checkInvariants())
                .isInstanceOf(IllegalStateException.class);
    }
}
