package io.batchpool.dispatch.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.AssignJob;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CancelJob;
import io.batchpool.contracts.job.CommitResults;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFailed;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.RevokeJob;
import io.batchpool.contracts.job.SlotEvent;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.contracts.job.SubmitJob;
import io.batchpool.contracts.job.VmBusy;
import io.batchpool.contracts.job.VmIdle;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives the dispatcher as its consumer does (facts, decision, apply, dispatch, apply) and checks order and causality. */
class JobDispatcherTest {
    static final String POOL = "pool1";
    static final String CLASSIC = "classic";
    Instant now = Instant.parse("2026-11-26T10:00:00Z");
    final JobDispatcher dispatcher = new JobDispatcher(3, Map.of(CLASSIC, 2));
    final List<Envelope<JobEvent>> log = new ArrayList<>();
    final List<Assignment> assignments = new ArrayList<>();
    final List<Envelope<SlotEvent>> slots = new ArrayList<>();
    final Map<String, Long> reportSeq = new java.util.HashMap<>();

    void run(Decision d) {
        for (Envelope<JobEvent> e : d.events()) {
            dispatcher.apply(e);
            log.add(e);
        }
        assignments.addAll(d.assignments());
        slots.addAll(d.slots());
        dispatcher.checkInvariants();
    }

    void step(String queue, Decision d) {
        run(d);
        run(dispatcher.dispatch(queue, now));
    }

    static JobSpec spec(String job, String service, String pool) {
        return new JobSpec(job, "acct", service, 1, pool, Map.of(), Map.of(), Map.of(), Duration.ofHours(1));
    }

    void submitAndStart(String queue, String job, String service) {
        SubmitJob submit = new SubmitJob(job, queue, spec(job, service, queue));
        dispatcher.submitted(submit);
        step(queue, dispatcher.onCommand(Envelope.of(submit, 1, now), now));
        step(queue, dispatcher.onCommand(Envelope.of(new StartJob(job, queue), 2, now), now));
    }

    void report(String queue, io.batchpool.contracts.job.JobReport r) {
        long seq = reportSeq.merge(r.jobId() + r.attempt(), 1L, Long::sum);
        step(queue, dispatcher.onReport(Envelope.of(r, seq, now), now));
    }

    /** The agent's whole happy path for the attempt it holds. */
    void finish(String queue, String job) {
        Job j = dispatcher.job(job).orElseThrow();
        report(queue, new AttemptStarted(job, queue, j.vmId(), j.attempt()));
        report(queue, new AttemptSucceeded(job, queue, j.vmId(), j.attempt(), 10));
        assertThat(assignments).contains(new CommitResults(j.vmId(), job, j.attempt()));
        report(queue, new ResultsCommitted(job, queue, j.vmId(), j.attempt(),
                Map.of("out", new ResultLocation("http://b/", "c/out.csv", "?sig"))));
    }

    List<String> assignedJobs() {
        return assignments.stream().filter(a -> a instanceof AssignJob).map(Assignment::jobId).toList();
    }

    long holdingSlots() {
        return log.stream().map(e -> e.data().jobId()).distinct()
                .filter(id -> dispatcher.job(id).orElseThrow().holdsSlot()).count();
    }

    @Test
    void a_flooded_two_vm_pool_runs_two_at_a_time_in_fifo_order_and_the_next_starts_when_a_slot_frees() {
        dispatcher.vmReady(POOL, "vmA", 1);
        dispatcher.vmReady(POOL, "vmB", 1);
        for (int i = 1; i <= 20; i++) {
            submitAndStart(POOL, "j" + i, "svc");
        }
        assertThat(assignedJobs()).containsExactly("j1", "j2");
        assertThat(dispatcher.waiting(POOL)).hasSize(18).first().isEqualTo("j3");
        assertThat(dispatcher.queuePosition("j3")).isEqualTo(1);
        assertThat(dispatcher.queuePosition("j20")).isEqualTo(18);
        for (int i = 1; i <= 20; i++) {
            String job = "j" + i;
            int assignedBefore = assignedJobs().size();
            finish(POOL, job);
            assertThat(holdingSlots()).isLessThanOrEqualTo(2);
            if (i + 2 <= 20) {
                assertThat(assignedJobs()).as("the next job starts only after %s freed its slot", job)
                        .hasSize(assignedBefore + 1).last().isEqualTo("j" + (i + 2));
            }
        }
        assertThat(assignedJobs()).isEqualTo(java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(i -> "j" + i).toList());
        assertThat(dispatcher.job("j20").orElseThrow().state()).isEqualTo(JobState.FINISHED);
        JobFinished finished = (JobFinished) log.stream().map(Envelope::data).filter(e -> e instanceof JobFinished f
                && f.jobId().equals("j7")).findFirst().orElseThrow();
        assertThat(finished.rowsScored()).isEqualTo(10);
        assertThat(finished.results()).containsKey("out");
    }

    @Test
    void jobs_wait_without_vms_and_start_when_a_vm_is_ready_spread_over_free_slots() {
        submitAndStart(POOL, "j1", "svc");
        submitAndStart(POOL, "j2", "svc");
        assertThat(assignedJobs()).isEmpty();
        dispatcher.vmReady(POOL, "vmA", 2);
        run(dispatcher.dispatch(POOL, now));
        assertThat(assignedJobs()).containsExactly("j1", "j2");
        assertThat(dispatcher.busySlots("vmA")).isEqualTo(2);
        assertThat(slots).extracting(Envelope::data).containsExactly(new VmBusy(POOL, "vmA"));
        finish(POOL, "j1");
        assertThat(slots).extracting(Envelope::data).as("vmA still runs j2").containsExactly(new VmBusy(POOL, "vmA"));
        finish(POOL, "j2");
        assertThat(slots).extracting(Envelope::data).containsExactly(new VmBusy(POOL, "vmA"), new VmIdle(POOL, "vmA"));
        assertThat(slots).extracting(Envelope::sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void the_classic_queue_caps_running_jobs_per_web_service_and_lets_other_services_pass() {
        dispatcher.vmReady(CLASSIC, "c1", 10);
        for (String job : List.of("a1", "a2", "a3", "b1", "a4", "b2")) {
            submitAndStart(CLASSIC, job, job.substring(0, 1));
        }
        assertThat(assignedJobs()).containsExactly("a1", "a2", "b1", "b2");
        assertThat(dispatcher.waiting(CLASSIC)).containsExactly("a3", "a4");
        finish(CLASSIC, "a1");
        assertThat(assignedJobs()).containsExactly("a1", "a2", "b1", "b2", "a3");
    }

    @Test
    void cancel_of_a_queued_job_removes_it_and_of_a_running_job_revokes_it_and_frees_the_slot() {
        dispatcher.vmReady(POOL, "vmA", 1);
        submitAndStart(POOL, "j1", "svc");
        submitAndStart(POOL, "j2", "svc");
        submitAndStart(POOL, "j3", "svc");
        step(POOL, dispatcher.onCommand(Envelope.of(new CancelJob("j2", POOL), 3, now), now));
        assertThat(dispatcher.waiting(POOL)).containsExactly("j3");
        step(POOL, dispatcher.onCommand(Envelope.of(new CancelJob("j1", POOL), 3, now), now));
        assertThat(assignments).contains(new RevokeJob("vmA", "j1", 1, "cancelled by the client"));
        assertThat(assignedJobs()).containsExactly("j1", "j3");
        assertThat(dispatcher.job("j1").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(dispatcher.onCommand(Envelope.of(new CancelJob("j1", POOL), 4, now), now).isEmpty())
                .as("cancel of a cancelled job").isTrue();
        assertThat(dispatcher.onCommand(Envelope.of(new StartJob("j1", POOL), 4, now), now).isEmpty())
                .as("start of a cancelled job").isTrue();
        assertThat(dispatcher.onCommand(Envelope.of(new StartJob("j3", POOL), 3, now), now).isEmpty())
                .as("a repeated start").isTrue();
        assertThat(dispatcher.onCommand(Envelope.of(new SubmitJob("j3", POOL, spec("j3", "svc", POOL)), 1, now), now)
                .isEmpty()).as("a repeated submit").isTrue();
    }

    @Test
    void a_lost_vm_requeues_its_job_at_the_head_and_a_zombie_attempt_can_never_commit() {
        dispatcher.vmReady(POOL, "vmA", 1);
        dispatcher.vmReady(POOL, "vmB", 1);
        submitAndStart(POOL, "j1", "svc");
        submitAndStart(POOL, "j2", "svc");
        submitAndStart(POOL, "j3", "svc");
        report(POOL, new AttemptStarted("j1", POOL, "vmA", 1));
        dispatcher.vmGone("vmA");
        step(POOL, dispatcher.onVmLost("vmA", now, now));
        JobRequeued requeued = (JobRequeued) log.stream().map(Envelope::data).filter(e -> e instanceof JobRequeued)
                .findFirst().orElseThrow();
        assertThat(requeued.nextAttempt()).isEqualTo(2);
        assertThat(dispatcher.waiting(POOL)).as("j1 back at the head").containsExactly("j1", "j3");

        finish(POOL, "j2"); // frees vmB: j1 attempt 2 goes there
        assertThat(assignments).contains(new AssignJob("vmB", "j1", 2, spec("j1", "svc", POOL)));
        int before = assignments.size();
        report(POOL, new AttemptSucceeded("j1", POOL, "vmA", 1, 99)); // the zombie of attempt 1
        assertThat(assignments.subList(before, assignments.size()))
                .containsExactly(new RevokeJob("vmA", "j1", 1, "not the current attempt"));
        assertThat(dispatcher.job("j1").orElseThrow().attempt()).isEqualTo(2);
        finish(POOL, "j1");
        assertThat(dispatcher.job("j1").orElseThrow().state()).isEqualTo(JobState.FINISHED);
    }

    @Test
    void a_lost_vm_is_told_its_attempt_is_revoked_and_the_requeue_carries_its_last_heartbeat() {
        dispatcher.vmReady(POOL, "vmA", 1);
        submitAndStart(POOL, "j1", "svc");
        report(POOL, new AttemptStarted("j1", POOL, "vmA", 1));
        Instant lastHeartbeat = now.minusSeconds(3);
        dispatcher.vmGone("vmA");
        int before = assignments.size();
        Decision d = dispatcher.onVmLost("vmA", lastHeartbeat, now);
        assertThat(d.assignments()).containsExactly(new RevokeJob("vmA", "j1", 1, "VM vmA was declared lost"));
        assertThat(d.events()).extracting(Envelope::data).containsExactly(
                new JobRequeued("j1", POOL, 2, "VM vmA was lost during attempt 1", -1, lastHeartbeat));
        step(POOL, d);
        assertThat(assignments).hasSize(before + 1);
    }

    /** j1's attempt 1 on vmA reported success and was told to commit; vmB is free. */
    Instant grantedOnVmAWithVmBFree() {
        dispatcher.vmReady(POOL, "vmA", 1);
        dispatcher.vmReady(POOL, "vmB", 1);
        submitAndStart(POOL, "j1", "svc");
        Instant succeededAt = now;
        report(POOL, new AttemptStarted("j1", POOL, "vmA", 1));
        report(POOL, new AttemptSucceeded("j1", POOL, "vmA", 1, 10));
        assertThat(assignments).contains(new CommitResults("vmA", "j1", 1));
        now = now.plusSeconds(5);
        return succeededAt;
    }

    void vmLost(String vmId) {
        dispatcher.vmGone(vmId);
        step(POOL, dispatcher.onVmLost(vmId, now.minusSeconds(3), now));
    }

    final Map<String, ResultLocation> results = Map.of("out", new ResultLocation("http://b/", "c/out.csv", "?sig"));

    List<Assignment> since(int before) {
        return assignments.subList(before, assignments.size());
    }

    /**
     * vm-events and job-reports are different topics: the dispatcher may read a VM's loss before the results the VM
     * committed. An attempt told to commit is never superseded while its outcome is unknown: it is not revoked, no
     * other attempt starts, and its ResultsCommitted finishes the job; so the output is committed once.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"commit-then-loss", "loss-then-commit"})
    void an_attempt_told_to_commit_is_never_superseded_while_its_outcome_is_unknown(String order) {
        Instant succeededAt = grantedOnVmAWithVmBFree();
        ResultsCommitted committed = new ResultsCommitted("j1", POOL, "vmA", 1, results);
        int before = assignments.size();
        if (order.equals("commit-then-loss")) {
            report(POOL, committed);
            vmLost("vmA");
        } else {
            vmLost("vmA");
            assertThat(dispatcher.commitsOfLostVms()).containsExactly("j1");
            for (int s = 0; s < 30; s++) { // up to 14.5 s of read time while the commit is under way: nothing
                step(POOL, dispatcher.onTick(Duration.ofSeconds(s).dividedBy(2), now));
            }
            assertThat(since(before)).as("attempt 1 is neither revoked nor superseded").isEmpty();
            assertThat(dispatcher.job("j1").orElseThrow().state()).isEqualTo(JobState.RUNNING);
            assertThat(dispatcher.freeSlots(POOL)).as("vmB stays free for other jobs").isEqualTo(1);
            report(POOL, committed);
        }
        assertThat(since(before)).isEmpty();
        assertThat(dispatcher.job("j1").orElseThrow().state()).isEqualTo(JobState.FINISHED);
        assertThat(log.stream().map(Envelope::data).filter(e -> e instanceof JobFinished))
                .containsExactly(new JobFinished("j1", POOL, 1, results, 10, now, succeededAt));
        assertThat(log.stream().map(Envelope::data).filter(e -> e instanceof JobRequeued)).isEmpty();
        assertThat(dispatcher.commitsOfLostVms()).isEmpty();
    }

    @Test
    void an_attempt_told_to_commit_that_its_agent_could_not_commit_is_retried_at_once() {
        grantedOnVmAWithVmBFree();
        vmLost("vmA");
        int before = assignments.size();
        // the agent is alive: its VM stopped before the commit came, so it says the attempt will never commit
        report(POOL, new AttemptFailed("j1", POOL, "vmA", 1, "the outputs were discarded before the commit", true));
        assertThat(since(before)).containsExactly(new AssignJob("vmB", "j1", 2, spec("j1", "svc", POOL)));
        assertThat(dispatcher.commitsOfLostVms()).isEmpty();
    }

    /**
     * A VM that died after CommitResults says nothing: after commitWait of read time the attempt is revoked and the
     * job retried. Should the old attempt's ResultsCommitted come after all, it finishes the job and the new attempt
     * is revoked before it commits (and vm-agent's conditional commit would refuse it anyway).
     */
    @Test
    void a_dead_vm_after_commit_results_leaves_the_job_waiting_only_for_commit_wait() {
        Instant succeededAt = grantedOnVmAWithVmBFree();
        vmLost("vmA");
        int before = assignments.size();
        Duration base = Duration.ofHours(3); // read time is whatever the processor counted so far
        step(POOL, dispatcher.onTick(base, now));
        step(POOL, dispatcher.onTick(base.plusSeconds(14), now));
        assertThat(since(before)).isEmpty();
        step(POOL, dispatcher.onTick(base.plusSeconds(15), now));
        assertThat(log.get(log.size() - 2).data()).isEqualTo(new JobRequeued("j1", POOL, 2,
                "VM vmA was lost and no commit was confirmed within PT15S after attempt 1 succeeded", -1, succeededAt));
        assertThat(since(before)).containsExactly(
                new RevokeJob("vmA", "j1", 1, "its VM was lost and no commit was confirmed within PT15S"),
                new AssignJob("vmB", "j1", 2, spec("j1", "svc", POOL)));
        step(POOL, dispatcher.onTick(base.plusSeconds(30), now));
        assertThat(since(before)).hasSize(2);

        report(POOL, new AttemptStarted("j1", POOL, "vmB", 2));
        report(POOL, new ResultsCommitted("j1", POOL, "vmA", 1, results)); // late after all
        assertThat(since(before)).last().isEqualTo(new RevokeJob("vmB", "j1", 2, "attempt 1 already committed the results"));
        assertThat(dispatcher.job("j1").orElseThrow().state()).isEqualTo(JobState.FINISHED);
        int after = assignments.size();
        report(POOL, new AttemptSucceeded("j1", POOL, "vmB", 2, 10));
        assertThat(since(after)).doesNotHaveAnyElementsOfTypes(CommitResults.class);
        assertThat(dispatcher.busySlots("vmB")).isZero();
    }

    @Test
    void the_last_attempt_told_to_commit_on_a_dead_vm_fails_the_job_after_commit_wait() {
        JobDispatcher oneAttempt = new JobDispatcher(1, Map.of(), Duration.ofSeconds(30));
        oneAttempt.vmReady(POOL, "vmA", 1);
        SubmitJob submit = new SubmitJob("j1", POOL, spec("j1", "svc", POOL));
        oneAttempt.submitted(submit);
        List<Envelope<JobEvent>> events = new ArrayList<>();
        java.util.function.Consumer<Decision> run = d -> d.events().forEach(e -> {
            oneAttempt.apply(e);
            events.add(e);
        });
        run.accept(oneAttempt.onCommand(Envelope.of(submit, 1, now), now));
        run.accept(oneAttempt.onCommand(Envelope.of(new StartJob("j1", POOL), 2, now), now));
        run.accept(oneAttempt.dispatch(POOL, now));
        run.accept(oneAttempt.onReport(Envelope.of(new AttemptSucceeded("j1", POOL, "vmA", 1, 10), 1, now), now));
        oneAttempt.vmGone("vmA");
        run.accept(oneAttempt.onVmLost("vmA", now, now));
        run.accept(oneAttempt.onTick(Duration.ZERO, now));
        run.accept(oneAttempt.onTick(Duration.ofSeconds(30), now));
        assertThat(events.get(events.size() - 1).data()).isEqualTo(new JobFailed("j1", POOL, 1,
                "VM vmA was lost and no commit was confirmed within PT30S after attempt 1 of 1 succeeded", now, now));
    }

    /** The wait is no job state: a rebuilt dispatcher finds the job waiting and waits a whole commitWait again. */
    @Test
    void a_rebuilt_dispatcher_finds_the_attempt_waiting_for_its_commit_and_waits_again() {
        grantedOnVmAWithVmBFree();
        vmLost("vmA");
        step(POOL, dispatcher.onTick(Duration.ZERO, now));
        step(POOL, dispatcher.onTick(Duration.ofSeconds(10), now));

        JobDispatcher rebuilt = new JobDispatcher(3, Map.of(CLASSIC, 2));
        rebuilt.vmReady(POOL, "vmB", 1); // facts first, as of the committed offsets: vmA is gone
        for (Envelope<JobEvent> e : log) {
            rebuilt.apply(e);
            rebuilt.apply(e);
        }
        rebuilt.checkInvariants();
        assertThat(rebuilt.commitsOfLostVms()).containsExactly("j1");
        assertThat(rebuilt.job("j1")).isEqualTo(dispatcher.job("j1"));
        assertThat(rebuilt.onTick(Duration.ofSeconds(10), now).isEmpty()).isTrue();
        assertThat(rebuilt.onTick(Duration.ofSeconds(24), now).isEmpty()).isTrue();
        assertThat(rebuilt.onTick(Duration.ofSeconds(25), now).assignments())
                .containsExactly(new RevokeJob("vmA", "j1", 1, "its VM was lost and no commit was confirmed within PT15S"));
    }

    @Test
    void a_job_fails_after_its_last_attempt_is_lost_and_at_once_on_a_user_error() {
        dispatcher.vmReady(POOL, "v1", 1);
        submitAndStart(POOL, "j1", "svc");
        for (int attempt = 1; attempt <= 3; attempt++) {
            String vm = "v" + attempt;
            assertThat(dispatcher.job("j1").orElseThrow().vmId()).isEqualTo(vm);
            dispatcher.vmGone(vm);
            step(POOL, dispatcher.onVmLost(vm, now, now));
            dispatcher.vmReady(POOL, "v" + (attempt + 1), 1);
            run(dispatcher.dispatch(POOL, now));
        }
        Job j1 = dispatcher.job("j1").orElseThrow();
        assertThat(j1.state()).isEqualTo(JobState.FAILED);
        assertThat(((JobFailed) log.get(log.size() - 1).data()).details()).contains("lost during attempt 3 of 3");

        submitAndStart(POOL, "j2", "svc");
        report(POOL, new AttemptFailed("j2", POOL, "v4", 1, "line 7, column 'age': 'abc' is not a number", false));
        assertThat(dispatcher.job("j2").orElseThrow().state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void deleting_the_pool_cancels_queued_jobs_and_lets_running_ones_finish() {
        dispatcher.vmReady(POOL, "vmA", 1);
        submitAndStart(POOL, "j1", "svc");
        submitAndStart(POOL, "j2", "svc");
        SubmitJob late = new SubmitJob("j3", POOL, spec("j3", "svc", POOL));
        dispatcher.submitted(late);
        step(POOL, dispatcher.onCommand(Envelope.of(late, 1, now), now));
        dispatcher.queueDeleting(POOL);
        step(POOL, dispatcher.onQueueDeleted(POOL, false, now));
        assertThat(log.stream().map(Envelope::data).filter(e -> e instanceof JobCancelled))
                .extracting(e -> ((JobCancelled) e).jobId() + ":" + ((JobCancelled) e).details())
                .containsExactlyInAnyOrder("j2:pool deleted", "j3:pool deleted");
        assertThat(dispatcher.job("j1").orElseThrow().state()).isEqualTo(JobState.ASSIGNED);
        finish(POOL, "j1");
        assertThat(dispatcher.job("j1").orElseThrow().state()).isEqualTo(JobState.FINISHED);
    }

    @Test
    void replaying_the_job_log_with_duplicates_rebuilds_the_same_queues_and_slots() {
        dispatcher.vmReady(POOL, "vmA", 2);
        for (int i = 1; i <= 6; i++) {
            submitAndStart(POOL, "j" + i, "svc");
        }
        finish(POOL, "j1");
        report(POOL, new AttemptStarted("j2", POOL, "vmA", 1));
        step(POOL, dispatcher.onCommand(Envelope.of(new CancelJob("j5", POOL), 3, now), now));

        JobDispatcher replayed = new JobDispatcher(3, Map.of(CLASSIC, 2));
        for (Envelope<JobEvent> e : log) {
            replayed.apply(e);
            replayed.apply(e);
        }
        replayed.vmReady(POOL, "vmA", 2); // VM facts may arrive after the jobs that hold its slots
        replayed.checkInvariants();
        assertThat(replayed.waiting(POOL)).isEqualTo(dispatcher.waiting(POOL));
        assertThat(replayed.busySlots("vmA")).isEqualTo(dispatcher.busySlots("vmA")).isEqualTo(2);
        for (int i = 1; i <= 6; i++) {
            assertThat(replayed.job("j" + i)).isEqualTo(dispatcher.job("j" + i));
        }
        assertThat(replayed.appliedEvents(POOL)).isEqualTo(dispatcher.appliedEvents(POOL));
    }

    @Test
    void a_started_report_makes_the_job_running_with_the_agents_time() {
        dispatcher.vmReady(POOL, "vmA", 1);
        submitAndStart(POOL, "j1", "svc");
        Instant started = now.plusMillis(5);
        step(POOL, dispatcher.onReport(Envelope.of(new AttemptStarted("j1", POOL, "vmA", 1), 1, started), now));
        assertThat(log.get(log.size() - 1).data()).isEqualTo(new JobStarted("j1", POOL, "vmA", 1, started));
        assertThat(log).extracting(Envelope::data).filteredOn(e -> e instanceof JobAssigned).hasSize(1);
    }

    @Test
    void an_event_no_dispatcher_could_have_written_changes_nothing() {
        dispatcher.vmReady(POOL, "vmA", 1);
        submitAndStart(POOL, "j1", "svc");
        submitAndStart(POOL, "j2", "svc");
        long applied = dispatcher.appliedEvents(POOL);
        Job queued = dispatcher.job("j2").orElseThrow();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dispatcher.apply(
                        Envelope.of(new JobStarted("j2", POOL, "vmA", 1, now), 10, now)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("QUEUED to RUNNING");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dispatcher.apply(
                        Envelope.of(new JobAssigned("j2", "other-pool", "vmA", 1), 10, now)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dispatcher.job("j2")).contains(queued);
        assertThat(dispatcher.waiting(POOL)).containsExactly("j2");
        assertThat(dispatcher.appliedEvents(POOL)).isEqualTo(applied);
        dispatcher.checkInvariants();
    }

    @Test
    void a_per_service_cap_below_one_is_refused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JobDispatcher(3, Map.of(CLASSIC, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
