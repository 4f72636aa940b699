package io.batchpool.billing.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Run time over a range: table-driven, with a fixed "now". */
class JobRunMeterTest {
    static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
    static final Instant NOW = T0.plusSeconds(1000);
    final JobRunMeter meter = new JobRunMeter();

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static JobRun run(String job, int attempt, String service, long start, Long end) {
        return new JobRun(job, attempt, "acct", service, at(start), end == null ? null : at(end));
    }

    /** a: 2 attempts of s1 (100 s + 50 s); b: s2, 30 s; c: s1, zero-length; e: s2, still running since 900 s. */
    static final List<JobRun> RUNS = List.of(
            run("a", 1, "s1", 0, 100L), run("a", 2, "s1", 110, 160L), run("b", 1, "s2", 10, 40L),
            run("c", 1, "s1", 50, 50L), run("e", 1, "s2", 900, null));

    static Stream<Arguments> ranges() {
        // from, to, runMillis, jobCount, runCount, runningJobs
        return Stream.of(
                Arguments.of(0, 200, 180_000L, 3, 4, 0),        // a(150 s) + b(30 s); c counts with 0 ms
                Arguments.of(0, 2000, 280_000L, 4, 5, 1),       // e runs from 900 s to now (1000 s): 100 s
                Arguments.of(20, 120, 110_000L, 3, 4, 1),       // clipped: a1 80 + a2 10 + b 20; a2 runs at 120
                Arguments.of(50, 51, 1_000L, 2, 2, 1),          // a1 (1 s) and c (starts in range, 0 ms); a1 runs at 51
                Arguments.of(160, 900, 0L, 0, 0, 0),            // a2 ended at 160 exactly: nothing in [160, 900)
                Arguments.of(950, 5000, 50_000L, 1, 1, 1),      // the open run only up to now
                Arguments.of(1100, 5000, 0L, 0, 0, 1));         // all in the future: running at now, nothing metered
    }

    @ParameterizedTest(name = "[{0}s, {1}s)")
    @MethodSource("ranges")
    void totalsOverARange(long from, long to, long millis, int jobs, int runs, int running) {
        RunUsage usage = meter.measure(RUNS, at(from), at(to), NOW);
        assertThat(usage.runMillis()).isEqualTo(millis);
        assertThat(usage.jobCount()).isEqualTo(jobs);
        assertThat(usage.runCount()).isEqualTo(runs);
        assertThat(usage.runningJobs()).isEqualTo(running);
        assertThat(usage.services().stream().mapToLong(RunUsage.ServiceRunUsage::runMillis).sum())
                .as("the services add up to the total").isEqualTo(millis);
        assertThat(usage.services().stream().mapToInt(RunUsage.ServiceRunUsage::runCount).sum()).isEqualTo(runs);
    }

    @Test
    void perServiceBreakdownIsOrderedByServiceAndCountsAttempts() {
        RunUsage usage = meter.measure(RUNS, at(0), at(2000), NOW);
        assertThat(usage.services()).containsExactly(
                new RunUsage.ServiceRunUsage("s1", 150_000L, 2, 3),
                new RunUsage.ServiceRunUsage("s2", 130_000L, 2, 2));
        assertThat(usage.runSeconds()).isEqualByComparingTo("280.000");
        assertThat(usage.runSeconds().toPlainString()).isEqualTo("280.000");
        assertThat(usage.services().get(0).runSeconds().toPlainString()).isEqualTo("150.000");
    }

    @Test
    void runSecondsKeepMilliseconds() {
        JobRun r = new JobRun("j", 1, "acct", "s", T0, T0.plusMillis(1234));
        assertThat(meter.measure(List.of(r), T0, at(10), NOW).runSeconds().toPlainString()).isEqualTo("1.234");
    }

    @Test
    void anEndBeforeTheStartMetersNothingAndAnEmptySetIsZero() {
        assertThat(new JobRun("j", 1, "acct", "s", at(10), at(5)).end()).isEqualTo(at(10));
        RunUsage empty = meter.measure(List.of(), at(0), at(10), NOW);
        assertThat(empty.runMillis()).isZero();
        assertThat(empty.services()).isEmpty();
        assertThatThrownBy(() -> meter.measure(RUNS, at(10), at(0), NOW)).isInstanceOf(IllegalArgumentException.class);
    }
}
