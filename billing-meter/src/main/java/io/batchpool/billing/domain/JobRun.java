package io.batchpool.billing.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One metered run of a classic job: attempt {@code attempt} from the moment its VM agent started it ({@code start},
 * {@code JobStarted.startedAt}) until it ended ({@code end}, {@code null} while it runs). A job has one run per
 * attempt it started; the account and web service are the job's (from {@code JobCreated}).
 */
public record JobRun(String jobId, int attempt, String accountId, String serviceId, Instant start, Instant end) {

    public JobRun {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(start, "start");
        if (end != null && end.isBefore(start)) {
            end = start; // an end stamped before the start (clock skew between producers) meters nothing, never less
        }
    }

    public boolean isOpen() {
        return end == null;
    }

    public JobRun withEnd(Instant newEnd) {
        return new JobRun(jobId, attempt, accountId, serviceId, start, newEnd);
    }

    /** Where metering stops as seen at {@code now}: the end, or {@code now} for a run still going. */
    public Instant meteredUntil(Instant now) {
        if (end != null) {
            return end;
        }
        return now.isBefore(start) ? start : now;
    }

    /** Metered milliseconds inside {@code [from, to)}, an open run counted up to {@code now}. */
    public long millisWithin(Instant from, Instant to, Instant now) {
        long s = Math.max(start.toEpochMilli(), from.toEpochMilli());
        long e = Math.min(meteredUntil(now).toEpochMilli(), to.toEpochMilli());
        return Math.max(0, e - s);
    }

    /** Whether the run falls in {@code [from, to)}: it has time there, or it starts there (a zero-length run). */
    public boolean countsIn(Instant from, Instant to, Instant now) {
        return millisWithin(from, to, now) > 0 || (!start.isBefore(from) && start.isBefore(to));
    }

    /** Whether the run started before {@code t} and had not ended at {@code t}. */
    public boolean runningAt(Instant t) {
        return start.isBefore(t) && (end == null || end.isAfter(t));
    }
}
