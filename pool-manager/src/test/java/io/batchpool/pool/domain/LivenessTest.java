package io.batchpool.pool.domain;

import io.batchpool.contracts.vm.VmState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

class LivenessTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    /**
     * Reads at the given seconds after T0 (the reader's own clock); the VM was heard at T0. Gaps longer than the
     * 2 s step are times the reader could not read: they add nothing.
     */
    @ParameterizedTest(name = "reads at {0} -> silence {1} s")
    @CsvSource(delimiter = ';', value = {
            "0;                    0",
            "0 1 2 3;              3",
            "0 2 4;                4",
            "0 3;                  0",    // one gap over the step: the reader was cut off
            "0 1 91 92 93;         3",    // a 90 s outage counts nothing
            "0 1 1 0 2;            2",    // repeated or earlier read instants move nothing backwards
            "5 6 7;                2",    // the first read only starts the clock
    })
    void log_time_moves_only_across_gaps_the_reader_read_through(String reads, long silenceSeconds) {
        Liveness liveness = new Liveness(Duration.ofSeconds(2));
        Vm vm = new Vm("vm1", "p1", VmState.READY, 1, T0, T0);
        liveness.observe("vm1", T0);
        for (String s : reads.trim().split(" +")) {
            liveness.read(T0.plusSeconds(Long.parseLong(s)));
        }
        assertThat(liveness.silence(vm)).isEqualTo(Duration.ofSeconds(silenceSeconds));
        assertThat(liveness.lastSeen(vm)).isEqualTo(T0);
    }

    /** Reports in time order, read backwards window by window as the report topic is; counts what it hands out. */
    static final class History implements Liveness.ReportHistory {
        record Report(String vmId, Instant at) {
        }

        final List<Report> reports = new ArrayList<>();
        Instant readDownTo;
        int fed;

        History add(String vmId, Instant at) {
            reports.add(new Report(vmId, at));
            reports.sort(Comparator.comparing(Report::at));
            return this;
        }

        /** A heartbeat of the VM every {@code every} from {@code first} to {@code last}. */
        History beats(String vmId, Instant first, Instant last, Duration every) {
            for (Instant t = first; !t.isAfter(last); t = t.plus(every)) {
                add(vmId, t);
            }
            return this;
        }

        @Override
        public boolean readFrom(Instant from, BiConsumer<String, Instant> report) {
            for (Report r : reports) {
                if (!r.at().isBefore(from) && (readDownTo == null || r.at().isBefore(readDownTo))) {
                    report.accept(r.vmId(), r.at());
                    fed++;
                }
            }
            readDownTo = readDownTo == null || from.isBefore(readDownTo) ? from : readDownTo;
            return reports.stream().anyMatch(r -> r.at().isBefore(from));
        }
    }

    static Vm ready(String vmId, Instant provisionedAt) {
        return new Vm(vmId, "p1", VmState.READY, 1, provisionedAt, provisionedAt);
    }

    /**
     * bin/run stopped for 30 min (the VMs died with it), then started again: every VM's last report is 30 min old.
     * Each VM is lost as of its own last report, not as of some window's start (which would bill downtime).
     */
    @Test
    void a_restart_after_a_long_stop_reads_back_until_each_vms_last_report() {
        Instant booted = T0.minus(Duration.ofHours(3));
        Instant stop = T0.minus(Duration.ofMinutes(30));
        History history = new History()
                .beats("vm1", booted, stop, Duration.ofSeconds(1))
                .beats("vm2", booted, stop.minusSeconds(7), Duration.ofSeconds(1))
                .add("vm9", T0.minusSeconds(3)); // a VM of the new run, already reporting
        Liveness liveness = new Liveness(Duration.ofSeconds(2));

        int windows = liveness.refill(List.of(ready("vm1", booted), ready("vm2", booted)), history, T0,
                Duration.ofSeconds(10));

        assertThat(liveness.lastSeen(ready("vm1", booted))).isEqualTo(stop);
        assertThat(liveness.lastSeen(ready("vm2", booted))).isEqualTo(stop.minusSeconds(7));
        // 10 s, 20 s, ... 2560 s: the first window reaching back past the stop
        assertThat(windows).isEqualTo(9);
        assertThat(history.fed).as("each report is read once, none older than needed")
                .isLessThanOrEqualTo((int) Duration.ofSeconds(2560 - 1800).toSeconds() * 2 + 1);
    }

    @Test
    void live_vms_are_found_in_the_first_window() {
        History history = new History().beats("vm1", T0.minusSeconds(600), T0, Duration.ofSeconds(1));
        Liveness liveness = new Liveness(Duration.ofSeconds(2));

        assertThat(liveness.refill(List.of(ready("vm1", T0.minusSeconds(600))), history, T0, Duration.ofSeconds(10)))
                .isEqualTo(1);
        assertThat(history.fed).isEqualTo(11);
        assertThat(liveness.lastSeen(ready("vm1", T0.minusSeconds(600)))).isEqualTo(T0);
    }

    @Test
    void a_vm_provisioned_inside_a_window_needs_no_older_one() {
        // no report at all (its VmBooted expired, or was never read): the window reached its provisioning
        Instant booted = T0.minusSeconds(15);
        History history = new History().beats("vm2", T0.minusSeconds(3600), T0, Duration.ofSeconds(60));
        Liveness liveness = new Liveness(Duration.ofSeconds(2));

        assertThat(liveness.refill(List.of(ready("vm1", booted)), history, T0, Duration.ofSeconds(10))).isEqualTo(2);
        assertThat(liveness.lastSeen(ready("vm1", booted))).isEqualTo(booted);
    }

    @Test
    void at_the_start_of_the_history_a_vm_without_reports_counts_as_seen_at_the_oldest_report_kept() {
        Instant booted = T0.minus(Duration.ofDays(3));
        Instant oldestKept = T0.minus(Duration.ofHours(20));
        History history = new History().beats("vm2", oldestKept, T0, Duration.ofMinutes(10));
        Liveness liveness = new Liveness(Duration.ofSeconds(2));

        int windows = liveness.refill(List.of(ready("vm1", booted)), history, T0, Duration.ofSeconds(10));

        assertThat(liveness.lastSeen(ready("vm1", booted))).isEqualTo(oldestKept);
        assertThat(windows).as("bounded: stops at the history's start").isEqualTo(14);
        // and an empty history: its provisioning
        Liveness empty = new Liveness(Duration.ofSeconds(2));
        empty.refill(List.of(ready("vm1", booted)), new History(), T0, Duration.ofSeconds(10));
        assertThat(empty.lastSeen(ready("vm1", booted))).isEqualTo(booted);
    }
}
