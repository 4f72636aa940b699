package io.batchpool.dispatch.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.AssignJob;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptProgressed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CancelJob;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFailed;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobProgressed;
import io.batchpool.contracts.job.JobQueued;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.contracts.job.SlotEvent;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.job.VmBusy;
import io.batchpool.contracts.job.VmIdle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The queues, slots and jobs of the partitions one job-dispatcher owns: one single-threaded state machine.
 *
 * <p>Inputs of other owners are applied as facts ({@link #vmReady}, {@link #vmDraining}, {@link #vmGone},
 * {@link #queueDeleting}, {@link #submitted}); handlers ({@link #onCommand}, {@link #onReport},
 * {@link #onVmLost}, {@link #onQueueDeleted}, {@link #dispatch}) decide and change nothing; {@link #apply} of a
 * job event is the only change to a job, live and when the state is rebuilt from the job-events topic.
 *
 * <p>Dispatch: a queue is FIFO by {@code queueSequence}; a requeued job (its VM was lost) goes to the head. Free
 * slots of READY VMs are filled in queue order, spreading jobs over the VMs with the most free slots. A queue may
 * cap the jobs running per web service (the classic queue: 40 by default); a job over its service's cap keeps its
 * place and the jobs behind it may pass. The classic queue is the queue of the system pool whose id is the classic
 * queue id: its VMs are that pool's VMs, so they serve classic jobs only.
 */
public final class JobDispatcher {
    private final Map<String, Job> jobs = new HashMap<>();
    private final Map<String, JobSpec> specs = new HashMap<>();
    private final Map<String, Long> rows = new HashMap<>();
    /**
     * Jobs whose attempt reported success and was told to commit (JobProgressed with succeededAt), kept across a
     * requeue until the job ends: that attempt's ResultsCommitted finishes the job even after its VM was lost.
     */
    private final Map<String, Granted> granted = new HashMap<>();
    /**
     * Jobs whose current attempt was told to commit and whose VM is gone since: the attempt is neither revoked nor
     * superseded while its outcome is unknown (derived from the facts and the job events, so a rebuild finds them).
     */
    private final Set<String> commitsOfLostVms = new LinkedHashSet<>();
    /**
     * When (read time, see {@link #onTick}) this dispatcher first saw each of {@link #commitsOfLostVms} waiting. Not
     * replayed: a restarted dispatcher waits a whole {@code commitWait} again.
     */
    private final Map<String, Duration> waitingSince = new HashMap<>();
    private final Duration commitWait;
    private final Map<String, Queue> queues = new HashMap<>();
    private final Map<String, VmSlots> vms = new HashMap<>();
    private final Map<String, Long> vmEventSequence = new HashMap<>();
    private final int maxAttempts;
    private final Map<String, Integer> perServiceCaps;

    /**
     * @param maxAttempts    attempts per job before a lost VM fails it (default 3)
     * @param perServiceCaps queue id -> max running jobs per web service in that queue (the classic queue)
     */
    public JobDispatcher(int maxAttempts, Map<String, Integer> perServiceCaps) {
        this(maxAttempts, perServiceCaps, DEFAULT_COMMIT_WAIT);
    }

    /** How long a lost VM's attempt that was told to commit is waited for by default (see {@link #onTick}). */
    public static final Duration DEFAULT_COMMIT_WAIT = Duration.ofSeconds(15);

    /**
     * @param commitWait how long (read time) the outcome of an attempt told to commit is waited for once its VM is
     *                   lost, before the job is retried anyway (the VM died before it could answer)
     */
    public JobDispatcher(int maxAttempts, Map<String, Integer> perServiceCaps, Duration commitWait) {
        if (commitWait.isNegative()) {
            throw new IllegalArgumentException("commitWait must not be negative: " + commitWait);
        }
        this.commitWait = commitWait;
        perServiceCaps.forEach((queueId, cap) -> {
            if (cap < 1) {
                throw new IllegalArgumentException("queue " + queueId + ": a per-service cap of " + cap
                        + " would never run a job; it must be at least 1");
            }
        });
        this.maxAttempts = maxAttempts;
        this.perServiceCaps = Map.copyOf(perServiceCaps);
    }

    /** The attempt of a job told to commit, on which VM, and when its agent reported success. */
    private record Granted(int attempt, String vmId, Instant succeededAt) {
    }

    /** A queue (one per pool, plus the classic one): waiting jobs in order and the running count per service. */
    private static final class Queue {
        final TreeMap<Long, String> waiting = new TreeMap<>();
        /**
         * The same waiting jobs by web service, each in queue order (kept for every queue, read where a per-service
         * cap applies): dispatch merges the services under their cap instead of scanning past every waiting job
         * of a capped one.
         */
        final Map<String, TreeMap<Long, String>> waitingByService = new HashMap<>();
        final Map<String, Integer> runningPerService = new HashMap<>();
        final Map<String, VmSlots> vms = new LinkedHashMap<>();
        long tail;
        long head;
        long appliedEvents;
        boolean deleting;
    }

    /** A VM's slots; {@code busy} is derived from the jobs that hold them. */
    private static final class VmSlots {
        final String vmId;
        final String queueId;
        final int slots;
        boolean draining;
        int busy;

        VmSlots(String vmId, String queueId, int slots) {
            this.vmId = vmId;
            this.queueId = queueId;
            this.slots = slots;
        }

        int free() {
            return draining ? 0 : Math.max(0, slots - busy);
        }
    }

    // ---- reads

    public Optional<Job> job(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    /** Waiting jobs of a queue, in the order they will run. */
    public List<String> waiting(String queueId) {
        Queue q = queues.get(queueId);
        return q == null ? List.of() : List.copyOf(q.waiting.values());
    }

    /** 1-based position of a queued job, or 0. */
    public int queuePosition(String jobId) {
        Job job = jobs.get(jobId);
        Queue q = job == null ? null : queues.get(job.queueId());
        if (q == null || job.state() != JobState.QUEUED) {
            return 0;
        }
        return q.waiting.headMap(job.queueSequence()).size() + 1;
    }

    public int busySlots(String vmId) {
        VmSlots vm = vms.get(vmId);
        return vm == null ? 0 : vm.busy;
    }

    public int freeSlots(String queueId) {
        Queue q = queues.get(queueId);
        return q == null ? 0 : q.vms.values().stream().mapToInt(VmSlots::free).sum();
    }

    /** Slot capacity of a queue's VMs, empty if no VM of it is known. */
    public Optional<PoolCapacity> capacity(String queueId) {
        Queue q = queues.get(queueId);
        if (q == null || q.vms.isEmpty() && q.waiting.isEmpty()) {
            return q == null ? Optional.empty() : Optional.of(new PoolCapacity(queueId, 0, 0, 0, 0, 0));
        }
        int total = q.vms.values().stream().mapToInt(v -> v.slots).sum();
        int free = q.vms.values().stream().mapToInt(VmSlots::free).sum();
        int draining = (int) q.vms.values().stream().filter(v -> v.draining).count();
        return Optional.of(new PoolCapacity(queueId, q.vms.size(), total, free, draining, q.waiting.size()));
    }

    public java.util.Set<String> queueIds() {
        return java.util.Set.copyOf(queues.keySet());
    }

    public long appliedEvents(String queueId) {
        Queue q = queues.get(queueId);
        return q == null ? 0 : q.appliedEvents;
    }

    public void checkInvariants() {
        Map<String, Integer> busy = new HashMap<>();
        for (Job job : jobs.values()) {
            job.checkInvariants();
            if (job.holdsSlot()) {
                busy.merge(job.vmId(), 1, Integer::sum);
            }
        }
        for (VmSlots vm : vms.values()) {
            int expected = busy.getOrDefault(vm.vmId, 0);
            if (vm.busy != expected || vm.busy > vm.slots) {
                throw new IllegalStateException("VM " + vm.vmId + " busy " + vm.busy + " of " + vm.slots
                        + ", jobs say " + expected);
            }
        }
        queues.forEach((queueId, q) -> {
            Map<Long, String> byService = new HashMap<>();
            q.waitingByService.forEach((service, waiting) -> waiting.forEach((seq, jobId) -> {
                if (!java.util.Objects.equals(jobs.get(jobId).serviceId(), service)) {
                    throw new IllegalStateException("job " + jobId + " waits under service " + service);
                }
                byService.put(seq, jobId);
            }));
            if (!byService.equals(q.waiting)) {
                throw new IllegalStateException("queue " + queueId + ": waiting " + q.waiting + " but by service "
                        + q.waitingByService);
            }
            Map<String, Integer> running = new HashMap<>();
            jobs.values().stream().filter(j -> j.holdsSlot() && j.queueId().equals(queueId))
                    .forEach(j -> running.merge(j.serviceId(), 1, Integer::sum));
            Map<String, Integer> counted = new HashMap<>(q.runningPerService);
            counted.values().removeIf(n -> n == 0);
            if (!counted.equals(running)) {
                throw new IllegalStateException("queue " + queueId + ": running per service " + counted
                        + ", jobs say " + running);
            }
        });
    }

    // ---- facts from other owners

    /**
     * Records the sequence of a pool's VM event (pool-manager numbers a pool's events); false for one that is not
     * newer than the last seen: a redelivered old event must not bring a deleted VM back.
     */
    public boolean acceptVmEvent(String poolId, long sequence) {
        long last = vmEventSequence.getOrDefault(poolId, 0L);
        if (sequence <= last) {
            return false;
        }
        vmEventSequence.put(poolId, sequence);
        return true;
    }

    public void submitted(SubmitJob command) {
        Job job = jobs.get(command.jobId());
        if (job == null || !job.state().isTerminal()) {
            specs.put(command.jobId(), command.spec());
        }
    }

    public void vmReady(String queueId, String vmId, int slots) {
        if (vms.containsKey(vmId)) {
            return;
        }
        VmSlots vm = new VmSlots(vmId, queueId, slots);
        vms.put(vmId, vm);
        queue(queueId).vms.put(vmId, vm);
        // on a rebuild the jobs holding its slots may have been applied before the VM was known
        vm.busy = (int) jobs.values().stream().filter(j -> j.holdsSlot() && vmId.equals(j.vmId())).count();
    }

    public void vmDraining(String vmId) {
        VmSlots vm = vms.get(vmId);
        if (vm != null) {
            vm.draining = true;
        }
    }

    /** The VM is deleted. Its jobs still name it until {@link #onVmLost} decides their fate. */
    public void vmGone(String vmId) {
        VmSlots vm = vms.remove(vmId);
        if (vm != null) {
            queue(vm.queueId).vms.remove(vmId);
        }
        jobs.values().stream().filter(j -> j.holdsSlot() && vmId.equals(j.vmId()) && toldToCommit(j))
                .forEach(j -> commitsOfLostVms.add(j.jobId()));
    }

    /** Whether the job's current attempt was told to commit (its outcome is the job's, whatever happens to its VM). */
    private boolean toldToCommit(Job job) {
        Granted g = granted.get(job.jobId());
        return g != null && g.attempt() == job.attempt();
    }

    /** Jobs whose attempt was told to commit on a VM that is gone since: their outcome is awaited. */
    public Set<String> commitsOfLostVms() {
        return Set.copyOf(commitsOfLostVms);
    }

    public void queueDeleting(String queueId) {
        queue(queueId).deleting = true;
    }

    // ---- decisions

    public Decision onCommand(Envelope<? extends JobCommand> envelope, Instant now) {
        JobCommand command = envelope.data();
        Job job = jobs.get(command.jobId());
        Builder b = new Builder(now);
        if (command instanceof SubmitJob submit) {
            if (job == null) {
                JobSpec spec = submit.spec();
                b.event(null, new JobCreated(submit.jobId(), submit.queueId(), spec.accountId(), spec.serviceId(),
                        spec.serviceVersion()));
            }
        } else if (command instanceof StartJob) {
            if (job != null && job.state() == JobState.CREATED) {
                Queue q = queue(job.queueId());
                if (q.deleting) {
                    b.event(job, new JobCancelled(job.jobId(), job.queueId(), "pool deleted", now));
                } else {
                    b.event(job, new JobQueued(job.jobId(), job.queueId(), q.tail + 1));
                }
            }
        } else if (command instanceof CancelJob) {
            if (job != null && !job.state().isTerminal()) {
                b.cancel(job, "cancelled by the client");
            }
        }
        return b.build();
    }

    public Decision onReport(Envelope<? extends JobReport> envelope, Instant now) {
        JobReport report = envelope.data();
        Job job = jobs.get(report.jobId());
        Builder b = new Builder(now);
        Granted commit = job == null ? null : granted.get(job.jobId());
        if (report instanceof ResultsCommitted r && commit != null && !job.state().isTerminal()
                && commit.attempt() == r.attempt() && commit.vmId().equals(r.vmId()) && job.attempt() != r.attempt()) {
            // An attempt told to commit before its VM was declared lost did commit (the loss reached this
            // dispatcher first: vm-events and job-reports are different topics). Its output is the job's result;
            // the attempt started since is revoked before it can commit.
            if (job.holdsSlot()) {
                b.assignments.add(new RevokeJob(job.vmId(), job.jobId(), job.attempt(),
                        "attempt " + r.attempt() + " already committed the results"));
                b.freeSlot(job);
            }
            b.event(job, new JobFinished(job.jobId(), job.queueId(), r.attempt(), r.results(),
                    rows.getOrDefault(job.jobId(), 0L), now, commit.succeededAt()));
            return b.build();
        }
        if (job == null || !job.holdsSlot() || job.attempt() != report.attempt()
                || !report.vmId().equals(job.vmId())) {
            // not the current attempt: a zombie. It must never commit; tell it to stop if it is still running.
            if (report instanceof AttemptSucceeded || report instanceof AttemptStarted
                    || report instanceof AttemptProgressed) {
                b.assignments.add(new RevokeJob(report.vmId(), report.jobId(), report.attempt(), "not the current attempt"));
            }
            return b.build();
        }
        if (report instanceof AttemptStarted) {
            if (job.state() == JobState.ASSIGNED) {
                b.event(job, new JobStarted(job.jobId(), job.queueId(), job.vmId(), job.attempt(), envelope.occurredAt()));
            }
        } else if (report instanceof AttemptProgressed p) {
            b.event(job, new JobProgressed(job.jobId(), job.queueId(), job.attempt(), p.rowsScored()));
        } else if (report instanceof AttemptSucceeded done) {
            b.event(job, new JobProgressed(job.jobId(), job.queueId(), job.attempt(), done.rowsScored(),
                    envelope.occurredAt()));
            b.assignments.add(new CommitResults(job.vmId(), job.jobId(), job.attempt()));
        } else if (report instanceof ResultsCommitted r) {
            b.freeSlot(job);
            Granted g = granted.get(job.jobId());
            b.event(job, new JobFinished(job.jobId(), job.queueId(), job.attempt(), r.results(),
                    rows.getOrDefault(job.jobId(), 0L), now,
                    g != null && g.attempt() == job.attempt() ? g.succeededAt() : envelope.occurredAt()));
        } else if (report instanceof AttemptFailed f) {
            b.freeSlot(job);
            Queue q = queue(job.queueId());
            boolean retry = f.retryable() && job.attempt() < maxAttempts;
            if (retry && !q.deleting) {
                b.event(job, new JobRequeued(job.jobId(), job.queueId(), job.attempt() + 1, f.details(), q.head - 1,
                        envelope.occurredAt()));
            } else {
                // a deleting queue dispatches nothing: a job requeued into it would wait forever
                String details = retry ? f.details() + " (not retried: pool deleted)" : f.details();
                b.event(job, new JobFailed(job.jobId(), job.queueId(), job.attempt(), details, now,
                        envelope.occurredAt()));
            }
        }
        return b.build();
    }

    /**
     * After {@link #vmGone}: the jobs that held its slots are retried at the head of their queue, or fail. The VM
     * may still be running (declared lost but alive): each old attempt is revoked, so its agent stops it, and
     * were it to report success later it is told it is not the current attempt and never commits.
     *
     * @param lastSeen the VM's last heartbeat (its deletion time): when its attempts are taken to have ended
     */
    public Decision onVmLost(String vmId, Instant lastSeen, Instant now) {
        Builder b = new Builder(now);
        // newest first, so that the oldest gets the lowest (first) place at the head
        // an attempt told to commit is not revoked or superseded: its outcome is awaited (see onTick)
        List<Job> lost = jobs.values().stream().filter(j -> j.holdsSlot() && vmId.equals(j.vmId())
                        && !toldToCommit(j))
                .sorted(Comparator.comparingLong(Job::queueSequence).reversed()).toList();
        retry(b, lost, "VM " + vmId + " was declared lost", j -> "VM " + vmId + " was lost during attempt " + j.attempt(),
                j -> "VM " + vmId + " was lost during attempt " + j.attempt() + " of " + maxAttempts, j -> lastSeen);
        return b.build();
    }

    /**
     * Revokes each job's attempt and requeues the jobs at the head of their queues (oldest first), or fails those out
     * of attempts or in a deleting queue. {@code jobs} come newest first.
     */
    private void retry(Builder b, List<Job> newestFirst, String revokeReason,
                       Function<Job, String> requeued, Function<Job, String> failed,
                       Function<Job, Instant> endedAt) {
        long head = 0;
        for (Job job : newestFirst) {
            Queue q = queue(job.queueId());
            head = Math.min(head, q.head) - 1;
            b.assignments.add(new RevokeJob(job.vmId(), job.jobId(), job.attempt(), revokeReason));
            if (job.attempt() < maxAttempts && !q.deleting) {
                b.event(job, new JobRequeued(job.jobId(), job.queueId(), job.attempt() + 1, requeued.apply(job), head,
                        endedAt.apply(job)));
            } else {
                b.event(job, new JobFailed(job.jobId(), job.queueId(), job.attempt(), failed.apply(job), b.now,
                        endedAt.apply(job)));
            }
        }
    }

    /**
     * Time passes for the attempts told to commit whose VM is lost. Such an attempt's agent, if it is alive, answers
     * with ResultsCommitted or AttemptFailed (a commit it can no longer do); only an agent that died says nothing.
     * After {@code commitWait} of read time without an answer the attempt is revoked and the job retried (or failed):
     * the new attempt's commit is conditional on no attempt of the job having committed (vm-agent), so even an
     * answer that was merely late commits nothing twice.
     *
     * <p>{@code readTime} is how long this dispatcher has demonstrably been reading its inputs (time across gaps in
     * which it could not read, a broker outage, does not count), so an outage is no one's silence. The only
     * bookkeeping a handler does: when it first saw each job waiting (not job state; not replayed).
     */
    public Decision onTick(Duration readTime, Instant now) {
        Builder b = new Builder(now);
        waitingSince.keySet().retainAll(commitsOfLostVms);
        List<Job> expired = new ArrayList<>();
        for (String jobId : commitsOfLostVms) {
            Duration since = waitingSince.computeIfAbsent(jobId, id -> readTime);
            if (readTime.minus(since).compareTo(commitWait) >= 0) {
                expired.add(jobs.get(jobId));
            }
        }
        expired.sort(Comparator.comparingLong(Job::queueSequence).reversed());
        String unconfirmed = " was lost and no commit was confirmed within " + commitWait;
        retry(b, expired, "its VM" + unconfirmed,
                j -> "VM " + j.vmId() + unconfirmed + " after attempt " + j.attempt() + " succeeded",
                j -> "VM " + j.vmId() + unconfirmed + " after attempt " + j.attempt() + " of " + maxAttempts
                        + " succeeded", j -> granted.get(j.jobId()).succeededAt());
        return b.build();
    }

    /** The pool is being deleted: queued jobs are cancelled; with {@code force}, running ones too. */
    public Decision onQueueDeleted(String queueId, boolean force, Instant now) {
        Builder b = new Builder(now);
        for (Job job : jobs.values()) {
            if (!job.queueId().equals(queueId) || job.state().isTerminal()) {
                continue;
            }
            if (!job.holdsSlot() || force) {
                b.cancel(job, "pool deleted");
            }
        }
        return b.build();
    }

    /** Fills the queue's free slots with its waiting jobs, in order. */
    public Decision dispatch(String queueId, Instant now) {
        Queue q = queues.get(queueId);
        Builder b = new Builder(now);
        if (q == null || q.waiting.isEmpty() || q.deleting) {
            return b.build();
        }
        Map<String, Integer> free = new LinkedHashMap<>();
        q.vms.values().forEach(vm -> {
            if (vm.free() > 0) {
                free.put(vm.vmId, vm.free());
            }
        });
        if (free.isEmpty()) {
            return b.build();
        }
        Integer cap = perServiceCaps.get(queueId);
        if (cap == null) {
            for (String jobId : q.waiting.values()) {
                if (free.isEmpty()) {
                    break;
                }
                assign(b, queueId, jobs.get(jobId), free);
            }
            return b.build();
        }
        // Capped: the jobs in queue order, passing over those whose service runs `cap` jobs (they keep their place).
        // A merge of the services' own FIFO lists by queue sequence gives exactly that order, and a service that
        // reaches its cap drops out without its (possibly many) waiting jobs being scanned.
        Map<String, Integer> running = new HashMap<>(q.runningPerService);
        PriorityQueue<ServiceHead> heads = new PriorityQueue<>(Comparator.comparingLong(ServiceHead::sequence));
        q.waitingByService.forEach((service, waiting) -> {
            if (running.getOrDefault(service, 0) < cap && !waiting.isEmpty()) {
                heads.add(new ServiceHead(service, waiting));
            }
        });
        while (!free.isEmpty() && !heads.isEmpty()) {
            ServiceHead head = heads.poll();
            assign(b, queueId, jobs.get(head.jobId()), free);
            if (running.merge(head.service, 1, Integer::sum) < cap && head.advance()) {
                heads.add(head);
            }
        }
        return b.build();
    }

    /** Decides the job's next attempt on the VM with the most free slots. */
    private void assign(Builder b, String queueId, Job job, Map<String, Integer> free) {
        String jobId = job.jobId();
        JobSpec spec = specs.get(jobId);
        String vmId = free.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        free.computeIfPresent(vmId, (id, n) -> n > 1 ? n - 1 : null);
        int attempt = job.attempt() + 1;
        if (vms.get(vmId).busy == 0 && b.busyVms.add(vmId)) {
            b.slot(queueId, new VmBusy(queueId, vmId));
        }
        b.event(job, new JobAssigned(jobId, queueId, vmId, attempt));
        b.assignments.add(new AssignJob(vmId, jobId, attempt, spec));
    }

    /** The next waiting job of one service, for the capped merge in {@link #dispatch}. */
    private static final class ServiceHead {
        final String service;
        final Iterator<Map.Entry<Long, String>> rest;
        Map.Entry<Long, String> current;

        ServiceHead(String service, TreeMap<Long, String> waiting) {
            this.service = service;
            this.rest = waiting.entrySet().iterator();
            this.current = rest.next();
        }

        long sequence() {
            return current.getKey();
        }

        String jobId() {
            return current.getValue();
        }

        boolean advance() {
            if (!rest.hasNext()) {
                return false;
            }
            current = rest.next();
            return true;
        }
    }

    // ---- the only mutator of jobs

    public void apply(Envelope<? extends JobEvent> envelope) {
        JobEvent event = envelope.data();
        Job job = jobs.get(event.jobId());
        if (job != null && envelope.sequence() <= job.lastSequence()) {
            return; // replayed or duplicated
        }
        if (job != null && !(event instanceof JobCreated)) {
            checkTransition(job, event); // before any change: an impossible event changes nothing
        }
        Queue q = queue(event.queueId());
        q.appliedEvents++;
        long seq = envelope.sequence();
        if (event instanceof JobCreated c) {
            if (job == null) {
                jobs.put(c.jobId(), new Job(c.jobId(), c.queueId(), c.serviceId(), JobState.CREATED, 0, null, 0, seq));
            }
            return;
        }
        if (job == null) {
            return; // history of a job whose creation is not in this log
        }
        Job next;
        if (event instanceof JobQueued e) {
            next = job.with(JobState.QUEUED, job.attempt(), null, e.queueSequence(), seq);
            enqueue(q, next);
        } else if (event instanceof JobAssigned e) {
            dequeue(q, job);
            next = job.with(JobState.ASSIGNED, e.attempt(), e.vmId(), job.queueSequence(), seq);
            occupy(q, next, +1);
        } else if (event instanceof JobStarted) {
            next = job.with(JobState.RUNNING, job.attempt(), job.vmId(), job.queueSequence(), seq);
        } else if (event instanceof JobProgressed e) {
            rows.put(job.jobId(), e.rowsScored());
            if (e.succeededAt() != null && job.vmId() != null) {
                granted.put(job.jobId(), new Granted(e.attempt(), job.vmId(), e.succeededAt()));
                if (!vms.containsKey(job.vmId())) { // on a rebuild: its VM was deleted since (facts come first)
                    commitsOfLostVms.add(job.jobId());
                }
            }
            next = job.withSequence(seq);
        } else if (event instanceof JobRequeued e) {
            commitsOfLostVms.remove(job.jobId());
            release(q, job);
            dequeue(q, job);
            next = job.with(JobState.QUEUED, e.nextAttempt() - 1, null, e.queueSequence(), seq);
            enqueue(q, next);
        } else if (event instanceof JobFinished || event instanceof JobFailed || event instanceof JobCancelled) {
            release(q, job);
            dequeue(q, job);
            commitsOfLostVms.remove(job.jobId());
            JobState terminal = event instanceof JobFinished ? JobState.FINISHED
                    : event instanceof JobFailed ? JobState.FAILED : JobState.CANCELLED;
            next = job.with(terminal, job.attempt(), null, 0, seq);
            specs.remove(job.jobId());
            rows.remove(job.jobId());
            granted.remove(job.jobId());
        } else {
            throw new IllegalArgumentException("unknown job event " + envelope.type());
        }
        jobs.put(next.jobId(), next);
    }

    private static void checkTransition(Job job, JobEvent event) {
        if (!job.queueId().equals(event.queueId())) {
            throw new IllegalArgumentException("job " + job.jobId() + " is in queue " + job.queueId() + ", not "
                    + event.queueId());
        }
        JobState next;
        if (event instanceof JobQueued || event instanceof JobRequeued) {
            next = JobState.QUEUED;
        } else if (event instanceof JobAssigned) {
            next = JobState.ASSIGNED;
        } else if (event instanceof JobStarted) {
            next = JobState.RUNNING;
        } else if (event instanceof JobFinished) {
            next = JobState.FINISHED;
        } else if (event instanceof JobFailed) {
            next = JobState.FAILED;
        } else if (event instanceof JobCancelled) {
            next = JobState.CANCELLED;
        } else {
            return; // JobProgressed changes no state
        }
        if (next != job.state() && !job.state().canBecome(next)) {
            throw new IllegalStateException("job " + job.jobId() + " cannot go from " + job.state() + " to " + next);
        }
    }

    private static void enqueue(Queue q, Job job) {
        q.waiting.put(job.queueSequence(), job.jobId());
        q.waitingByService.computeIfAbsent(job.serviceId(), s -> new TreeMap<>()).put(job.queueSequence(), job.jobId());
        q.tail = Math.max(q.tail, job.queueSequence());
        q.head = Math.min(q.head, job.queueSequence());
    }

    /** Takes the job out of the waiting lists if it is in them (a job that holds a slot or never queued is not). */
    private static void dequeue(Queue q, Job job) {
        if (q.waiting.remove(job.queueSequence(), job.jobId())) {
            TreeMap<Long, String> ofService = q.waitingByService.get(job.serviceId());
            ofService.remove(job.queueSequence());
            if (ofService.isEmpty()) {
                q.waitingByService.remove(job.serviceId());
            }
        }
    }

    private void release(Queue q, Job job) {
        if (job.holdsSlot()) {
            occupy(q, job, -1);
        }
    }

    private void occupy(Queue q, Job job, int delta) {
        q.runningPerService.merge(job.serviceId(), delta, Integer::sum);
        VmSlots vm = vms.get(job.vmId());
        if (vm != null) {
            vm.busy = Math.max(0, vm.busy + delta);
        }
    }

    private void recount(VmSlots vm) {
        vm.busy = (int) jobs.values().stream().filter(j -> j.holdsSlot() && vm.vmId.equals(j.vmId())).count();
    }

    private Queue queue(String queueId) {
        return queues.computeIfAbsent(queueId, id -> new Queue());
    }

    /** Collects one decision; per job and per queue it numbers events after those already applied. */
    private final class Builder {
        final Instant now;
        final List<Envelope<JobEvent>> events = new ArrayList<>();
        final List<Assignment> assignments = new ArrayList<>();
        final List<Envelope<SlotEvent>> slots = new ArrayList<>();
        final Map<String, Long> jobSeq = new HashMap<>();
        final Map<String, Long> slotSeq = new HashMap<>();
        final java.util.Set<String> busyVms = new java.util.HashSet<>();
        final Map<String, Integer> freed = new HashMap<>();

        Builder(Instant now) {
            this.now = now;
        }

        void event(Job job, JobEvent event) {
            long last = jobSeq.getOrDefault(event.jobId(), job == null ? 0 : job.lastSequence());
            jobSeq.put(event.jobId(), last + 1);
            events.add(Envelope.of(event, last + 1, now));
        }

        void slot(String queueId, SlotEvent event) {
            Queue q = queue(queueId);
            // a decision that emits slot events emits at least as many job events, so numbering after the queue's applied
            // job events stays increasing across decisions and is the same after a rebuild
            long last = slotSeq.getOrDefault(queueId, q.appliedEvents);
            slotSeq.put(queueId, last + 1);
            slots.add(Envelope.of(event, last + 1, now));
        }

        /** The job's slot frees: a VM whose last busy slot this is becomes idle. */
        void freeSlot(Job job) {
            VmSlots vm = vms.get(job.vmId());
            if (vm == null) {
                return;
            }
            int n = freed.merge(vm.vmId, 1, Integer::sum);
            if (vm.busy - n == 0) {
                slot(job.queueId(), new VmIdle(job.queueId(), vm.vmId));
            }
        }

        void cancel(Job job, String details) {
            if (job.holdsSlot()) {
                assignments.add(new RevokeJob(job.vmId(), job.jobId(), job.attempt(), details));
                freeSlot(job);
            }
            event(job, new JobCancelled(job.jobId(), job.queueId(), details, now));
        }

        Decision build() {
            return events.isEmpty() && assignments.isEmpty() && slots.isEmpty() ? Decision.NONE
                    : new Decision(List.copyOf(events), List.copyOf(assignments), List.copyOf(slots));
        }
    }
}
