package io.batchpool.gateway.domain;

import io.batchpool.contracts.job.JobCommand;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The admission rules of BES job commands (DESIGN §3), applied to a group of commands that arrived together and
 * are recorded in one transaction. Each is judged in arrival order against what that transaction read, and each
 * accepted one changes the working state the next one is judged against: a second submit with the same
 * idempotency key answers the first one's job, the per-account cap counts the submits accepted before it, a second
 * start of the same job is a no-op. Deciding changes nothing outside the returned {@link Decided}; the caller
 * writes what it says.
 *
 * <p>Per submit, in this order (as a client sees it): an idempotency key already used by this web service answers
 * that job; the broker must be taking commands (503); the account's waiting jobs must be under the cap (429); a
 * named pool must be the account's and not deleted (404) nor deleting (409). A start or cancel needs the job of
 * this web service (404) and is decided by {@link JobRecord}.
 */
public final class JobAdmission {
    private JobAdmission() {
    }

    /** A command as the client sent it, checked and with its job id and time already chosen. */
    public sealed interface Request permits Submit, Change {
    }

    /**
     * @param poolId {@code AzureBatchPoolId}, null for a classic job
     * @param queueId the pool id, or the classic pool's id
     */
    public record Submit(String jobId, String accountId, String serviceId, String poolId, String queueId,
                         String idempotencyKey) implements Request {
        public IdempotencyKey key() {
            return idempotencyKey == null ? null : new IdempotencyKey(serviceId, idempotencyKey);
        }
    }

    /** A start ({@code start = true}) or a cancel of a job, through the Batch Requests URL of {@code serviceId}. */
    public record Change(String serviceId, String jobId, boolean start) implements Request {
    }

    /** An idempotency key is a web service's: two services may use the same one. */
    public record IdempotencyKey(String serviceId, String key) {
    }

    /** What admission needs of a pool: its owner and state. */
    public record PoolOwner(String accountId, PoolStatus status) {
    }

    /** A job a change names, with the web service it belongs to. */
    public record OwnedJob(String serviceId, JobRecord record) {
    }

    /**
     * What the transaction read before deciding.
     *
     * @param existing jobs already created under the idempotency keys of the group's submits
     * @param pools the pools the group's submits name (absent: no such pool)
     * @param waiting each submitting account's jobs created, queued or assigned
     * @param jobs the jobs the group's changes name, locked (absent: no such job)
     * @param maxWaiting the cap on an account's waiting jobs
     * @param brokerAway why commands cannot be taken now (the broker has not taken them for too long), or null
     */
    public record State(Map<IdempotencyKey, String> existing, Map<String, PoolOwner> pools, Map<String, Long> waiting,
                        Map<String, OwnedJob> jobs, long maxWaiting, Rejection brokerAway) {
    }

    /** What was decided for one request. */
    public sealed interface Outcome permits Created, Existing, Recorded, Unchanged, Rejected {
    }

    /** A new job: record its row and its SubmitJob. */
    public record Created(Submit submit) implements Outcome {
    }

    /** The idempotency key names this job already: answer its id, record nothing. */
    public record Existing(String jobId) implements Outcome {
    }

    /** A start or cancel to record: the job's record after it, and the command. */
    public record Recorded(JobRecord next, JobCommand command) implements Outcome {
    }

    /** A start or cancel that changes nothing (a repeated start): answer 200, record nothing. */
    public record Unchanged() implements Outcome {
    }

    public record Rejected(Rejection rejection) implements Outcome {
    }

    /**
     * @param outcomes one per request, in the requests' order
     * @param waiting the accounts' waiting jobs counting the ones created here
     */
    public record Decided(List<Outcome> outcomes, Map<String, Long> waiting) {
    }

    public static Decided decide(List<? extends Request> requests, State state) {
        Map<IdempotencyKey, String> keys = new HashMap<>(state.existing());
        Map<String, Long> waiting = new HashMap<>(state.waiting());
        Map<String, OwnedJob> jobs = new HashMap<>(state.jobs());
        List<Outcome> outcomes = new ArrayList<>(requests.size());
        for (Request request : requests) {
            outcomes.add(request instanceof Submit s ? submit(s, state, keys, waiting)
                    : change((Change) request, state, jobs));
        }
        return new Decided(outcomes, waiting);
    }

    private static Outcome submit(Submit s, State state, Map<IdempotencyKey, String> keys, Map<String, Long> waiting) {
        IdempotencyKey key = s.key();
        if (key != null && keys.containsKey(key)) {
            return new Existing(keys.get(key));
        }
        if (state.brokerAway() != null) {
            return new Rejected(state.brokerAway());
        }
        long count = waiting.getOrDefault(s.accountId(), 0L);
        if (count >= state.maxWaiting()) {
            return reject(ErrorCode.TooManyQueuedJobs, "account " + s.accountId() + " has " + count
                    + " jobs waiting to run, its limit is " + state.maxWaiting() + "; retry when some have started");
        }
        if (s.poolId() != null) {
            PoolOwner pool = state.pools().get(s.poolId());
            if (pool == null || !pool.accountId().equals(s.accountId()) || pool.status() == PoolStatus.DELETED) {
                return reject(ErrorCode.PoolNotFound, "AzureBatchPoolId: no pool " + s.poolId()
                        + " in subscription " + s.accountId());
            }
            if (pool.status() == PoolStatus.DELETING) {
                return reject(ErrorCode.PoolDeleting, "AzureBatchPoolId: pool " + s.poolId()
                        + " is being deleted and takes no new jobs");
            }
        }
        waiting.put(s.accountId(), count + 1);
        if (key != null) {
            keys.put(key, s.jobId());
        }
        return new Created(s);
    }

    private static Outcome change(Change c, State state, Map<String, OwnedJob> jobs) {
        OwnedJob job = jobs.get(c.jobId());
        if (job == null || !job.serviceId().equals(c.serviceId())) {
            return reject(ErrorCode.JobNotFound, "no job " + c.jobId() + " of web service " + c.serviceId());
        }
        Decision<JobCommand> decision = c.start() ? job.record().start() : job.record().cancel();
        if (decision instanceof Decision.Rejected<JobCommand> rejected) {
            return new Rejected(rejected.rejection());
        }
        if (!(decision instanceof Decision.Accepted<JobCommand> accepted)) {
            return new Unchanged();
        }
        if (state.brokerAway() != null) {
            return new Rejected(state.brokerAway());
        }
        JobRecord next = job.record().apply(accepted.command());
        jobs.put(c.jobId(), new OwnedJob(job.serviceId(), next));
        return new Recorded(next, accepted.command());
    }

    private static Rejected reject(ErrorCode code, String message) {
        return new Rejected(new Rejection(code, message));
    }
}
