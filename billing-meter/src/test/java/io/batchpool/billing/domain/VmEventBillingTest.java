package io.batchpool.billing.domain;

import io.batchpool.contracts.vm.VmDeleted;
import io.batchpool.contracts.vm.VmDeletionReason;
import io.batchpool.contracts.vm.VmDrainStarted;
import io.batchpool.contracts.vm.VmEvent;
import io.batchpool.contracts.vm.VmProvisioned;
import io.batchpool.contracts.vm.VmRequested;
import io.batchpool.contracts.vm.VmSeenAfterLoss;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VmEventBillingTest {
    private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
    private static final long H = VmHoursMeter.HOUR_MILLIS;

    private static VmProvisioned provisioned(String vm, int hour) {
        return new VmProvisioned("pool", vm, "account", "plan", 2, T0.plusMillis(hour * H));
    }

    private static VmDeleted deleted(String vm, int hour, boolean wasProvisioned) {
        return new VmDeleted("pool", vm, "account", "plan", T0.plusMillis(hour * H), VmDeletionReason.SCALED_DOWN,
                wasProvisioned);
    }

    @Test
    void provisionedOpensAnIntervalAtProvisionedAt() {
        assertThat(VmEventBilling.decide(provisioned("vm1", 3))).contains(new IntervalChange.Open(
                new VmInterval("vm1", "pool", "account", "plan", 2, T0.plusMillis(3 * H), null)));
    }

    @Test
    void deletedClosesAtDeletedAt() {
        assertThat(VmEventBilling.decide(deleted("vm1", 5, true)))
                .contains(new IntervalChange.Close("pool", "vm1", T0.plusMillis(5 * H)));
    }

    @Test
    void requestedAndDrainStartedChangeNothing() {
        assertThat(VmEventBilling.decide(new VmRequested("pool", "vm1", "account", "plan", 1))).isEmpty();
        assertThat(VmEventBilling.decide(new VmDrainStarted("pool", "vm1"))).isEmpty();
    }

    @Test
    void eventsWithoutWhatBillingNeedsAreInvalid() {
        assertThatThrownBy(() -> VmEventBilling.decide(new VmProvisioned("pool", null, "a", "p", 1, T0)))
                .isInstanceOf(InvalidVmEvent.class).hasMessageContaining("vmId");
        assertThatThrownBy(() -> VmEventBilling.decide(new VmProvisioned("pool", "vm", "a", "p", 1, null)))
                .isInstanceOf(InvalidVmEvent.class).hasMessageContaining("provisionedAt");
        assertThatThrownBy(() -> VmEventBilling.decide(new VmProvisioned(" ", "vm", "a", "p", 1, T0)))
                .isInstanceOf(InvalidVmEvent.class).hasMessageContaining("poolId");
        assertThatThrownBy(() -> VmEventBilling.decide(
                new VmDeleted("pool", "vm", "a", "p", null, VmDeletionReason.LOST, true)))
                .isInstanceOf(InvalidVmEvent.class).hasMessageContaining("deletedAt");
    }

    @Test
    void deletionOfAVmThatNeverProvisionedBillsNothing() {
        IntervalBook book = new IntervalBook();
        List<VmEvent> events = List.of(new VmRequested("pool", "vm1", "account", "plan", 1), deleted("vm1", 2, false));

        events.forEach(e -> VmEventBilling.decide(e).ifPresent(book::apply));

        assertThat(book.intervals()).isEmpty();
    }

    /** A stream with every event delivered twice, out of nowhere re-delivered later, applies like the plain one. */
    @Test
    void replayWithDuplicatesIsDeterministic() {
        List<VmEvent> stream = List.of(
                new VmRequested("pool", "vm1", "account", "plan", 2), provisioned("vm1", 0),
                new VmRequested("pool", "vm2", "account", "plan", 2), provisioned("vm2", 1),
                new VmDrainStarted("pool", "vm1"), deleted("vm1", 6, true), deleted("vm2", 6, true),
                new VmRequested("pool", "vm3", "account", "plan", 2), deleted("vm3", 7, false),
                provisioned("vm4", 10));
        IntervalBook once = new IntervalBook();
        stream.forEach(e -> VmEventBilling.decide(e).ifPresent(once::apply));

        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            List<VmEvent> noisy = new ArrayList<>();
            for (VmEvent e : stream) {
                noisy.add(e);
                if (random.nextBoolean()) {
                    noisy.add(e); // an immediate duplicate
                }
            }
            // a redelivery of an earlier stretch of the log after the fact
            int from = random.nextInt(stream.size());
            noisy.addAll(stream.subList(from, stream.size()));
            IntervalBook replayed = new IntervalBook();
            noisy.forEach(e -> VmEventBilling.decide(e).ifPresent(replayed::apply));

            assertThat(replayed.intervals()).containsExactlyInAnyOrderElementsOf(once.intervals());
        }
        Usage usage = new VmHoursMeter().measure(once.intervals(), T0, T0.plusMillis(12 * H), T0.plusMillis(12 * H),
                false);
        assertThat(usage.computeMillis()).isEqualTo(6 * H + 5 * H + 2 * H); // vm1 0-6, vm2 1-6, vm4 10-now(12)
        assertThat(usage.runningVms()).isEqualTo(1);
    }

    @Test
    void firstDeletionWinsAndALateProvisioningDoesNotReopen() {
        IntervalBook book = new IntervalBook();
        book.apply(VmEventBilling.decide(provisioned("vm1", 0)).orElseThrow());

        assertThat(book.apply(VmEventBilling.decide(deleted("vm1", 4, true)).orElseThrow())).isTrue();
        assertThat(book.apply(VmEventBilling.decide(deleted("vm1", 9, true)).orElseThrow())).isFalse();
        assertThat(book.apply(VmEventBilling.decide(provisioned("vm1", 5)).orElseThrow())).isFalse();

        assertThat(book.intervals()).containsExactly(
                new VmInterval("vm1", "pool", "account", "plan", 2, T0, T0.plusMillis(4 * H)));
    }

    /** Declared lost at its last heartbeat (hour 4), it was alive: billed until its last report, never less. */
    @Test
    void aVmSeenAfterItsLossIsBilledUntilItsLastReportInAnyOrderAndOnce() {
        IntervalBook book = new IntervalBook();
        book.apply(VmEventBilling.decide(provisioned("vm1", 0)).orElseThrow());
        book.apply(VmEventBilling.decide(new VmDeleted("pool", "vm1", "account", "plan", T0.plusMillis(4 * H),
                VmDeletionReason.LOST, true)).orElseThrow());
        VmSeenAfterLoss heartbeat = new VmSeenAfterLoss("pool", "vm1", "account", "plan", T0.plusMillis(5 * H), false);
        VmSeenAfterLoss stopped = new VmSeenAfterLoss("pool", "vm1", "account", "plan", T0.plusMillis(6 * H), true);
        assertThat(VmEventBilling.decide(heartbeat)).contains(new IntervalChange.Extend("pool", "vm1", T0.plusMillis(5 * H)));
        assertThat(book.apply(VmEventBilling.decide(stopped).orElseThrow())).isTrue();
        assertThat(book.apply(VmEventBilling.decide(heartbeat).orElseThrow())).as("an earlier report, late").isFalse();
        assertThat(book.apply(VmEventBilling.decide(stopped).orElseThrow())).as("a duplicate").isFalse();
        assertThat(book.apply(new IntervalChange.Extend("other-pool", "vm1", T0.plusMillis(9 * H)))).isFalse();
        assertThat(book.intervals()).containsExactly(
                new VmInterval("vm1", "pool", "account", "plan", 2, T0, T0.plusMillis(6 * H)));
        IntervalBook open = new IntervalBook();
        open.apply(VmEventBilling.decide(provisioned("vm2", 0)).orElseThrow());
        assertThat(open.apply(new IntervalChange.Extend("pool", "vm2", T0.plusMillis(H)))).as("an open interval").isFalse();
    }

    @Test
    void aCloseFromAnotherPoolDoesNotEndTheInterval() {
        IntervalBook book = new IntervalBook();
        book.apply(VmEventBilling.decide(provisioned("vm1", 0)).orElseThrow());

        assertThat(book.apply(new IntervalChange.Close("other-pool", "vm1", T0.plusMillis(H)))).isFalse();
        assertThat(book.intervals()).allMatch(VmInterval::isOpen);
    }

    @Test
    void orderOfDifferentVmsDoesNotMatter() {
        List<VmEvent> stream = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stream.add(provisioned("vm" + i, i));
            stream.add(deleted("vm" + i, i + 3, true));
        }
        IntervalBook ordered = new IntervalBook();
        stream.forEach(e -> VmEventBilling.decide(e).ifPresent(ordered::apply));
        // shuffle whole VM stories, keeping each VM's own events in order (as pool-keyed partitions do)
        List<Integer> vms = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        Collections.shuffle(vms, new Random(7));
        IntervalBook shuffled = new IntervalBook();
        for (int vm : vms) {
            VmEventBilling.decide(stream.get(2 * vm)).ifPresent(shuffled::apply);
            VmEventBilling.decide(stream.get(2 * vm + 1)).ifPresent(shuffled::apply);
        }

        assertThat(shuffled.intervals()).containsExactlyInAnyOrderElementsOf(ordered.intervals());
        assertThat(new VmHoursMeter().measure(shuffled.intervals(), T0, T0.plusMillis(48 * H), T0, false)
                .computeMillis()).isEqualTo(30 * H);
    }
}
