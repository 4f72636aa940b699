package io.batchpool.billing.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Adds up classic job run time: each run (attempt) counts from its start until its end, so a job that ran twice
 * (its first VM was lost) is metered for both attempts. A pure function of the runs, the range and {@code now}
 * (which only bounds runs that are still going); it works in whole milliseconds.
 */
public final class JobRunMeter {

    /**
     * @param from inclusive start of the range
     * @param to   exclusive end of the range; must not be before {@code from}
     * @param now  the current time: open runs are metered up to {@code min(now, to)}
     */
    public RunUsage measure(Collection<JobRun> runs, Instant from, Instant to, Instant now) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(now, "now");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range ends before it starts: " + from + " .. " + to);
        }
        Instant runningAt = now.isBefore(to) ? now : to;
        Map<String, Tally> byService = new TreeMap<>();
        Tally total = new Tally();
        Set<String> running = new HashSet<>();
        for (JobRun run : runs) {
            if (run.runningAt(runningAt)) {
                running.add(run.jobId());
            }
            if (!run.countsIn(from, to, now)) {
                continue;
            }
            long millis = run.millisWithin(from, to, now);
            total.add(run, millis);
            byService.computeIfAbsent(run.serviceId(), s -> new Tally()).add(run, millis);
        }
        List<RunUsage.ServiceRunUsage> services = new ArrayList<>();
        byService.forEach((service, t) -> services.add(new RunUsage.ServiceRunUsage(service, t.millis, t.jobs.size(), t.runs)));
        return new RunUsage(from, to, total.millis, total.jobs.size(), total.runs, running.size(), services);
    }

    private static final class Tally {
        long millis;
        int runs;
        final Set<String> jobs = new HashSet<>();

        void add(JobRun run, long ms) {
            millis += ms;
            runs++;
            jobs.add(run.jobId());
        }
    }
}
