package io.batchpool.billing.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * What one classic job event does to the metered job runs. A run is one attempt of a job, from the moment the VM
 * agent started it until it ended (finished, failed, cancelled or requeued). All changes are idempotent:
 * <ul>
 *   <li>{@link JobKnown} records whose job it is (account, web service) unless the job is already known;</li>
 *   <li>{@link RunStarted} opens the run of {@code (jobId, attempt)} unless that attempt already has one (open or ended),
 *       and only for a known job (a run nobody can be billed for is not kept);</li>
 *   <li>{@link RunEnded} ends the job's open run of {@code attempt} ({@link RunEnded#ANY_ATTEMPT}: whichever is open);
 *       an ended run never changes again (the first end wins), an end before the start ends the run at its start.</li>
 * </ul>
 */
public sealed interface RunChange extends BillingChange {

    String jobId();

    record JobKnown(String jobId, String accountId, String serviceId, int serviceVersion) implements RunChange {
        public JobKnown {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(accountId, "accountId");
            Objects.requireNonNull(serviceId, "serviceId");
        }
    }

    record RunStarted(String jobId, int attempt, Instant at) implements RunChange {
        public RunStarted {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(at, "at");
        }
    }

    /** @param attempt the attempt that ended, or {@link #ANY_ATTEMPT} when the event does not say (a cancellation) */
    record RunEnded(String jobId, int attempt, Instant at) implements RunChange {
        public static final int ANY_ATTEMPT = 0;

        public RunEnded {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(at, "at");
        }

        public boolean ends(JobRun run) {
            return run.jobId().equals(jobId) && run.isOpen() && (attempt == ANY_ATTEMPT || run.attempt() == attempt);
        }
    }
}
