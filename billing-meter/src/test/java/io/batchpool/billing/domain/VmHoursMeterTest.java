package io.batchpool.billing.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class VmHoursMeterTest {
    private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
    private static final long H = VmHoursMeter.HOUR_MILLIS;
    private static final Instant FAR_FUTURE = T0.plus(Duration.ofDays(3650));

    private final VmHoursMeter meter = new VmHoursMeter();

    private static Instant at(double hours) {
        return T0.plusMillis(Math.round(hours * H));
    }

    private static VmInterval vm(String id, double startHour, Double endHour) {
        return new VmInterval(id, "pool", "account", "plan", 1, at(startHour), endHour == null ? null : at(endHour));
    }

    private static List<VmInterval> fleet(int vms, double startHour, Double endHour) {
        List<VmInterval> list = new ArrayList<>();
        for (int i = 0; i < vms; i++) {
            list.add(vm("vm-" + startHour + "-" + i, startHour, endHour));
        }
        return list;
    }

    private static List<VmInterval> concat(List<VmInterval> a, List<VmInterval> b) {
        List<VmInterval> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** name, intervals, from, to, now, expected millis, expected billed VMs, expected running VMs. */
    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("2 VMs for 24 h = 48 compute hours", fleet(2, 0, 24.0),
                        at(0), at(24), FAR_FUTURE, 48 * H, 2, 0),
                arguments("4 VMs for 12 h = 48 compute hours", fleet(4, 0, 12.0),
                        at(0), at(24), FAR_FUTURE, 48 * H, 4, 0),
                arguments("resize to 0 then re-grow bills only provisioned time: 2x6h + 3x4h",
                        concat(fleet(2, 0, 6.0), fleet(3, 10, 14.0)), at(0), at(24), FAR_FUTURE, 24 * H, 5, 0),
                arguments("range clips both ends: 2 VMs seen for 10 h", fleet(2, 0, 24.0),
                        at(5), at(15), FAR_FUTURE, 20 * H, 2, 2),
                arguments("range wider than the intervals", fleet(2, 0, 24.0),
                        at(-100), at(100), FAR_FUTURE, 48 * H, 2, 0),
                arguments("range before every interval", fleet(2, 10, 24.0), at(0), at(10), FAR_FUTURE, 0L, 0, 0),
                arguments("range after every interval", fleet(2, 0, 24.0), at(24), at(48), FAR_FUTURE, 0L, 0, 0),
                arguments("open intervals count up to now", fleet(3, 0, null), at(0), at(24), at(5), 15 * H, 3, 3),
                arguments("open intervals count up to to when now is later", fleet(3, 0, null),
                        at(0), at(24), at(30), 72 * H, 3, 3),
                arguments("open interval that starts after now bills nothing", fleet(1, 10, null),
                        at(0), at(24), at(5), 0L, 0, 0),
                arguments("zero-length intervals bill nothing", fleet(3, 7, 7.0), at(0), at(24), FAR_FUTURE, 0L, 0, 0),
                arguments("deletion stamped before provisioning bills nothing",
                        List.of(new VmInterval("skewed", "pool", "a", "p", 1, at(5), at(4))),
                        at(0), at(24), FAR_FUTURE, 0L, 0, 0),
                arguments("sub-hour intervals add up in milliseconds",
                        List.of(vm("a", 0.25, 0.5), vm("b", 0.75, 1.25)), at(0), at(2), FAR_FUTURE, H / 2 + H / 4, 2, 0),
                arguments("empty range", fleet(2, 0, 24.0), at(3), at(3), FAR_FUTURE, 0L, 0, 2),
                arguments("empty range inside an hour", fleet(2, 0, 24.0), at(3.5), at(3.5), FAR_FUTURE, 0L, 0, 2),
                arguments("no intervals", List.of(), at(0), at(24), FAR_FUTURE, 0L, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void measures(String name, List<VmInterval> intervals, Instant from, Instant to, Instant now, long millis,
                  int vmCount, int running) {
        Usage usage = meter.measure(intervals, from, to, now, true);

        assertThat(usage.computeMillis()).isEqualTo(millis);
        assertThat(usage.vmCount()).isEqualTo(vmCount);
        assertThat(usage.runningVms()).isEqualTo(running);
        // the hourly breakdown is a partition of the total
        assertThat(usage.hourly().stream().mapToLong(HourlyUsage::computeMillis).sum()).isEqualTo(millis);
        assertThat(usage.hourly()).hasSize((int) VmHoursMeter.hourBuckets(from, to));
        // every bucket is a UTC hour and none holds more than (VMs x 1 h)
        assertThat(usage.hourly()).allSatisfy(h -> {
            assertThat(h.hour().toEpochMilli() % H).isZero();
            assertThat(h.computeMillis()).isBetween(0L, intervals.size() * H);
        });
        // without the breakdown the total is the same
        Usage flat = meter.measure(intervals, from, to, now, false);
        assertThat(flat.computeMillis()).isEqualTo(millis);
        assertThat(flat.hourly()).isEmpty();
    }

    @Test
    void hourlyBreakdownOfResizeToZeroAndRegrow() {
        List<VmInterval> intervals = concat(fleet(2, 0, 6.0), fleet(3, 10, 14.0));

        Usage usage = meter.measure(intervals, at(0), at(16), FAR_FUTURE, true);

        assertThat(usage.hourly()).extracting(HourlyUsage::computeMillis).containsExactly(
                2 * H, 2 * H, 2 * H, 2 * H, 2 * H, 2 * H, 0L, 0L, 0L, 0L, 3 * H, 3 * H, 3 * H, 3 * H, 0L, 0L);
        assertThat(usage.hourly().get(0).hour()).isEqualTo(T0);
        assertThat(usage.hourly().get(15).hour()).isEqualTo(at(15));
        assertThat(usage.computeHours()).isEqualByComparingTo("24.000");
    }

    @Test
    void partialHoursAtBothEndsOfAnIntervalAndOfTheRange() {
        // one VM from 00:30 to 03:15, range 00:45 .. 02:30
        List<VmInterval> intervals = List.of(vm("a", 0.5, 3.25));

        Usage usage = meter.measure(intervals, at(0.75), at(2.5), FAR_FUTURE, true);

        assertThat(usage.hourly()).extracting(HourlyUsage::hour).containsExactly(at(0), at(1), at(2));
        assertThat(usage.hourly()).extracting(HourlyUsage::computeMillis).containsExactly(H / 4, H, H / 2);
        assertThat(usage.computeMillis()).isEqualTo(H + H / 4 + H / 2);
    }

    @Test
    void openIntervalSplitsAtNowInsideAnHour() {
        Usage usage = meter.measure(List.of(vm("a", 1, null)), at(0), at(4), at(2.5), true);

        assertThat(usage.hourly()).extracting(HourlyUsage::computeMillis).containsExactly(0L, H, H / 2, 0L);
        assertThat(usage.runningVms()).isEqualTo(1);
    }

    @Test
    void computeHoursHasThreeDecimals() {
        Usage usage = meter.measure(List.of(vm("a", 0, 1.0 / 3)), at(0), at(1), FAR_FUTURE, false);

        assertThat(usage.computeHours().toPlainString()).isEqualTo("0.333");
        assertThat(meter.measure(fleet(2, 0, 24.0), at(0), at(24), FAR_FUTURE, false).computeHours().toPlainString())
                .isEqualTo("48.000");
    }

    @Test
    void hourBucketsCountPartialHours() {
        assertThat(VmHoursMeter.hourBuckets(at(0), at(24))).isEqualTo(24);
        assertThat(VmHoursMeter.hourBuckets(at(0.5), at(1.5))).isEqualTo(2);
        assertThat(VmHoursMeter.hourBuckets(at(0.5), at(0.75))).isEqualTo(1);
        assertThat(VmHoursMeter.hourBuckets(at(1), at(1))).isZero();
        assertThat(VmHoursMeter.hourBuckets(at(1.5), at(1.5))).isZero();
        assertThat(VmHoursMeter.floorHour(at(1.99))).isEqualTo(at(1));
        assertThat(VmHoursMeter.floorHour(Instant.parse("1969-12-31T23:30:00Z")))
                .isEqualTo(Instant.parse("1969-12-31T23:00:00Z"));
    }

    @Test
    void refusesHourlyBreakdownsOverTheLimitButNotTotals() {
        Instant to = at(VmHoursMeter.MAX_HOURLY_BUCKETS + 1);

        assertThatThrownBy(() -> meter.measure(fleet(1, 0, null), at(0), to, to, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(meter.measure(fleet(1, 0, null), at(0), to, to, false).computeMillis())
                .isEqualTo((VmHoursMeter.MAX_HOURLY_BUCKETS + 1) * H);
        assertThat(meter.measure(fleet(1, 0, null), at(0), at(VmHoursMeter.MAX_HOURLY_BUCKETS), to, true).hourly())
                .hasSize((int) VmHoursMeter.MAX_HOURLY_BUCKETS);
    }

    @Test
    void refusesARangeThatEndsBeforeItStarts() {
        assertThatThrownBy(() -> meter.measure(List.of(), at(2), at(1), at(3), true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyVmsOverALongRangeAddUpExactly() {
        // 300 VMs, each up for (i % 50) + 1 hours and 17 minutes, starting at staggered minutes
        List<VmInterval> intervals = new ArrayList<>();
        long expected = 0;
        for (int i = 0; i < 300; i++) {
            Instant start = T0.plus(Duration.ofMinutes(i * 7L));
            Instant end = start.plus(Duration.ofHours(i % 50 + 1)).plus(Duration.ofMinutes(17));
            intervals.add(new VmInterval("vm" + i, "pool", "a", "p", 1, start, end));
            expected += Duration.between(start, end).toMillis();
        }

        Usage usage = meter.measure(intervals, T0, T0.plus(Duration.ofDays(10)), FAR_FUTURE, true);

        assertThat(usage.computeMillis()).isEqualTo(expected);
        assertThat(usage.hourly().stream().mapToLong(HourlyUsage::computeMillis).sum()).isEqualTo(expected);
        assertThat(usage.vmCount()).isEqualTo(300);
        // cross-check every bucket against a direct per-interval computation
        for (HourlyUsage h : usage.hourly()) {
            long direct = intervals.stream()
                    .mapToLong(i -> i.millisWithin(h.hour(), h.hour().plusMillis(H), FAR_FUTURE)).sum();
            assertThat(h.computeMillis()).as("hour %s", h.hour()).isEqualTo(direct);
        }
    }
}
