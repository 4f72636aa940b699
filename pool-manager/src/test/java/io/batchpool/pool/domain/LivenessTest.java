package io.batchpool.pool.domain;

import io.batchpool.contracts.vm.VmState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

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
}
