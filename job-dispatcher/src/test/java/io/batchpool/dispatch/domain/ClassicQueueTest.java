package io.batchpool.dispatch.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.AssignJob;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.AttemptFailed;
import io.batchpool.contracts.job.AttemptStarted;
import io.batchpool.contracts.job.AttemptSucceeded;
import io.batchpool.contracts.job.CancelJob;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.job.JobStarted;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.contracts.job.ResultsCommitted;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.contracts.job.SubmitJob;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classic queue, table-driven: the queue of the system pool whose id is the classic queue id, one global FIFO
 * in which a web service never runs more than {@code cap} jobs. Each scenario is a list of steps (an action, then
 * the jobs it assigned in order, the jobs holding slots, the waiting order and job states). A fake clock moves one
 * second per step. Every dispatch is also checked against a reference scan of the queue ("in order, passing over
 * jobs of a service at its cap"), every step against the invariants and the cap, and every scenario's log replayed
 * with duplicates must rebuild the same queue.
 *
 * <p>Job names are service + number ({@code A3} is the third job of service A); {@code A3-A500} is a range.
 * Actions: {@code vm c1:4} (a VM with 4 slots is ready), {@code submit A1 B1} (submit and start), {@code finish A1}
 * (the agent's happy path), {@code fail A1} (a retryable attempt failure), {@code cancel A1}, {@code drain c1},
 * {@code lose c1} (the VM is gone), {@code delete} (the pool is deleted). An assigned job may name its VM: {@code A3@c2}.
 */
class ClassicQueueTest {
    static final String CLASSIC = "00000000000000000000000000c1a551";

    record Step(String action, String assigned, String running, String waiting, String states) {
        @Override
        public String toString() {
            return action;
        }
    }

    record Scenario(String name, int cap, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Step step(String action, String assigned, String running, String waiting) {
        return new Step(action, assigned, running, waiting, "");
    }

    static Step step(String action, String assigned, String running, String waiting, String states) {
        return new Step(action, assigned, running, waiting, states);
    }

    static Scenario scenario(String name, int cap, Step... steps) {
        return new Scenario(name, cap, List.of(steps));
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(
                scenario("cap 2 on 4 slots: A1 A2 B1 run, A3 waits beside a free slot; A1 finishing starts A3", 2,
                        step("vm c1:4", "", "", ""),
                        step("submit A1 A2 A3 A4 A5 B1", "A1 A2 B1", "A1 A2 B1", "A3 A4 A5"),
                        step("finish A1", "A3", "A2 B1 A3", "A4 A5", "A1=FINISHED"),
                        step("finish B1", "", "A2 A3", "A4 A5"),
                        step("submit C1", "C1", "A2 A3 C1", "A4 A5"),
                        step("finish A2", "A4", "A3 C1 A4", "A5")),
                scenario("a capped service never blocks the services queued behind it", 1,
                        step("vm c1:3", "", "", ""),
                        step("submit A1 A2 A3 B1 C1 B2", "A1 B1 C1", "A1 B1 C1", "A2 A3 B2"),
                        step("finish C1", "", "A1 B1", "A2 A3 B2"),
                        step("finish B1", "B2", "A1 B2", "A2 A3"),
                        step("finish A1", "A2", "B2 A2", "A3")),
                scenario("below the cap the queue is plain FIFO across services", 40,
                        step("vm c1:2", "", "", ""),
                        step("submit A1 B1 A2 B2 C1", "A1 B1", "A1 B1", "A2 B2 C1"),
                        step("finish A1", "A2", "B1 A2", "B2 C1"),
                        step("finish A2", "B2", "B1 B2", "C1"),
                        step("finish B1", "C1", "B2 C1", "")),
                scenario("jobs wait while the pool has no VM (resized to 0) and start in order under the cap", 2,
                        step("submit A1 A2 A3 B1", "", "", "A1 A2 A3 B1"),
                        step("vm c1:3", "A1 A2 B1", "A1 A2 B1", "A3"),
                        step("vm c2:1", "", "A1 A2 B1", "A3"),
                        step("finish A2", "A3", "A1 B1 A3", "")),
                scenario("a lost VM's jobs go back to the head in their old order, still under the cap", 2,
                        step("vm c1:2 c2:2", "", "", ""),
                        step("submit A1 A2 B1 B2 A3", "A1@c1 A2@c2 B1@c1 B2@c2", "A1 A2 B1 B2", "A3"),
                        step("lose c1", "", "A2 B2", "A1 B1 A3", "A1=QUEUED/1 B1=QUEUED/1"),
                        step("vm c3:2", "A1@c3 B1@c3", "A2 B2 A1 B1", "A3", "A1=ASSIGNED/2 B1=ASSIGNED/2"),
                        step("finish A2", "A3@c2", "B2 A1 B1 A3", ""),
                        step("finish A1", "", "B2 B1 A3", "", "A1=FINISHED/2")),
                scenario("a retried attempt goes back to the head, ahead of its own service's waiting jobs", 1,
                        step("vm c1:1 c2:1", "", "", ""),
                        step("submit A1 A2 B1", "A1@c1 B1@c2", "A1 B1", "A2"),
                        step("fail A1", "A1@c1", "A1 B1", "A2", "A1=ASSIGNED/2"),
                        step("finish A1", "A2@c1", "B1 A2", "")),
                scenario("resize down: a draining VM takes no new job, the next one goes to a VM that frees", 2,
                        step("vm c1:2 c2:2", "", "", ""),
                        step("submit A1 A2 A3 B1", "A1@c1 A2@c2 B1@c1", "A1 A2 B1", "A3"),
                        step("drain c1", "", "A1 A2 B1", "A3"),
                        step("finish A1", "A3@c2", "A2 B1 A3", ""),
                        step("submit B2", "", "A2 B1 A3", "B2"),
                        step("finish B1", "", "A2 A3", "B2"),
                        step("finish A2", "B2@c2", "A3 B2", "")),
                scenario("deleting the classic pool cancels its queued jobs, lets running ones finish, cancels later starts", 2,
                        step("vm c1:2", "", "", ""),
                        step("submit A1 A2 A3 B1", "A1 A2", "A1 A2", "A3 B1"),
                        step("delete", "", "A1 A2", "", "A3=CANCELLED B1=CANCELLED A1=ASSIGNED"),
                        step("finish A1", "", "A2", "", "A1=FINISHED"),
                        step("submit C1", "", "A2", "", "C1=CANCELLED"),
                        step("fail A2", "", "", "", "A2=FAILED/1")),
                scenario("cancelling a running job frees its service's place under the cap", 1,
                        step("vm c1:2", "", "", ""),
                        step("submit A1 A2 B1", "A1 B1", "A1 B1", "A2"),
                        step("cancel A1", "A2", "B1 A2", "", "A1=CANCELLED")),
                scenario("a long backlog of a capped service is passed by a later service's job", 2,
                        step("vm c1:4", "", "", ""),
                        step("submit A1-A500", "A1 A2", "A1 A2", "A3-A500"),
                        step("submit B1", "B1", "A1 A2 B1", "A3-A500"),
                        step("finish A1", "A3", "A2 B1 A3", "A4-A500")));
    }

    // ---- the harness: drives the dispatcher as DispatchProcessor does (facts, decision, apply, dispatch, apply)

    /** A clock the test moves by hand. */
    static final class FakeClock extends Clock {
        private Instant now;

        FakeClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    final FakeClock clock = new FakeClock(Instant.parse("2026-11-26T10:00:00Z"));
    JobDispatcher dispatcher;
    int cap;
    final List<Envelope<JobEvent>> log = new ArrayList<>();
    final List<String> jobIds = new ArrayList<>();
    final Map<String, Integer> vmSlots = new LinkedHashMap<>();
    final Set<String> draining = new HashSet<>();
    final Map<String, Long> reportSeq = new HashMap<>();
    final List<String> assignedInStep = new ArrayList<>();
    final List<Envelope<JobEvent>> eventsInStep = new ArrayList<>();
    boolean deleted;

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void classicQueue(Scenario scenario) {
        cap = scenario.cap();
        dispatcher = new JobDispatcher(3, Map.of(CLASSIC, cap));
        for (Step step : scenario.steps()) {
            clock.advance(Duration.ofSeconds(1));
            assignedInStep.clear();
            eventsInStep.clear();
            act(step.action());
            String as = "after '" + step.action() + "'";

            List<String> assigned = expand(step.assigned());
            assertThat(actualAssigned(assignedInStep, assigned)).as(as + ": assigned, in order")
                    .containsExactlyElementsOf(assigned);
            assertThat(holdingSlots()).as(as + ": holding slots").containsExactlyInAnyOrderElementsOf(expand(step.running()));
            assertThat(dispatcher.waiting(CLASSIC)).as(as + ": waiting, in order")
                    .containsExactlyElementsOf(expand(step.waiting()));
            for (String s : split(step.states())) {
                String[] kv = s.split("[=/]");
                Job job = dispatcher.job(kv[0]).orElseThrow();
                assertThat(job.state()).as(as + ": state of " + kv[0]).isEqualTo(JobState.valueOf(kv[1]));
                if (kv.length > 2) {
                    assertThat(job.attempt()).as(as + ": attempt of " + kv[0]).isEqualTo(Integer.parseInt(kv[2]));
                }
            }
            dispatcher.checkInvariants();
            Map<String, Integer> running = runningPerService();
            assertThat(running.values()).as(as + ": no service over the cap " + running).allMatch(n -> n <= cap);
            // time comes from the (fake) clock the caller passes: every event of this step is stamped with it
            assertThat(eventsInStep).allSatisfy(e -> assertThat(e.occurredAt()).isEqualTo(clock.instant()));
            eventsInStep.stream().filter(e -> e.data() instanceof JobStarted).forEach(e ->
                    assertThat(((JobStarted) e.data()).startedAt()).isEqualTo(clock.instant()));
        }
        assertReplayRebuildsTheSameQueue();
    }

    void act(String action) {
        String[] words = action.split(" ");
        List<String> args = expand(String.join(" ", Arrays.copyOfRange(words, 1, words.length)));
        Instant now = clock.instant();
        switch (words[0]) {
            case "vm" -> args.forEach(a -> {
                String[] vm = a.split(":");
                vmSlots.put(vm[0], Integer.parseInt(vm[1]));
                dispatcher.vmReady(CLASSIC, vm[0], Integer.parseInt(vm[1]));
                dispatch();
            });
            case "submit" -> args.forEach(job -> {
                jobIds.add(job);
                SubmitJob submit = new SubmitJob(job, CLASSIC, spec(job));
                dispatcher.submitted(submit);
                run(dispatcher.onCommand(Envelope.of(submit, 1, now), now));
                dispatch();
                run(dispatcher.onCommand(Envelope.of(new StartJob(job, CLASSIC), 2, now), now));
                dispatch();
            });
            case "finish" -> args.forEach(job -> {
                Job j = dispatcher.job(job).orElseThrow();
                if (j.state() == JobState.ASSIGNED) {
                    report(new AttemptStarted(job, CLASSIC, j.vmId(), j.attempt()));
                }
                report(new AttemptSucceeded(job, CLASSIC, j.vmId(), j.attempt(), 10));
                report(new ResultsCommitted(job, CLASSIC, j.vmId(), j.attempt(),
                        Map.of("out", new ResultLocation("http://b/", "c/" + job + ".csv", "?sig"))));
            });
            case "fail" -> args.forEach(job -> {
                Job j = dispatcher.job(job).orElseThrow();
                if (j.state() == JobState.ASSIGNED) {
                    report(new AttemptStarted(job, CLASSIC, j.vmId(), j.attempt()));
                }
                report(new AttemptFailed(job, CLASSIC, j.vmId(), j.attempt(), "blob store timed out", true));
            });
            case "cancel" -> args.forEach(job -> {
                run(dispatcher.onCommand(Envelope.of(new CancelJob(job, CLASSIC), 3, now), now));
                dispatch();
            });
            case "drain" -> args.forEach(vm -> {
                draining.add(vm);
                dispatcher.vmDraining(vm);
                dispatch();
            });
            case "lose" -> args.forEach(vm -> {
                vmSlots.remove(vm);
                dispatcher.vmGone(vm);
                run(dispatcher.onVmLost(vm, now, now));
                dispatch();
            });
            case "delete" -> {
                deleted = true;
                dispatcher.queueDeleting(CLASSIC);
                run(dispatcher.onQueueDeleted(CLASSIC, false, now));
                dispatch();
            }
            default -> throw new IllegalArgumentException("unknown action " + action);
        }
    }

    void report(JobReport r) {
        long seq = reportSeq.merge(r.jobId() + "#" + r.attempt(), 1L, Long::sum);
        run(dispatcher.onReport(Envelope.of(r, seq, clock.instant()), clock.instant()));
        dispatch();
    }

    void run(Decision d) {
        for (Envelope<JobEvent> e : d.events()) {
            dispatcher.apply(e);
            log.add(e);
            eventsInStep.add(e);
        }
        for (Assignment a : d.assignments()) {
            if (a instanceof AssignJob assign) {
                assignedInStep.add(assign.jobId() + "@" + assign.vmId());
            }
        }
    }

    /** Dispatches, first computing what a plain scan of the queue must assign: the capped merge must agree. */
    void dispatch() {
        List<String> expected = new ArrayList<>();
        if (!deleted) {
            Map<String, Integer> running = runningPerService();
            int free = dispatcher.freeSlots(CLASSIC);
            for (String job : dispatcher.waiting(CLASSIC)) {
                if (expected.size() == free) {
                    break;
                }
                if (running.getOrDefault(service(job), 0) < cap) {
                    expected.add(job);
                    running.merge(service(job), 1, Integer::sum);
                }
            }
        }
        Decision d = dispatcher.dispatch(CLASSIC, clock.instant());
        assertThat(d.assignments()).extracting(Assignment::jobId).as("dispatch agrees with a scan of the queue")
                .containsExactlyElementsOf(expected);
        run(d);
    }

    Map<String, Integer> runningPerService() {
        Map<String, Integer> running = new HashMap<>();
        holdingSlots().forEach(job -> running.merge(service(job), 1, Integer::sum));
        return running;
    }

    List<String> holdingSlots() {
        return jobIds.stream().filter(id -> dispatcher.job(id).map(Job::holdsSlot).orElse(false)).toList();
    }

    void assertReplayRebuildsTheSameQueue() {
        JobDispatcher replayed = new JobDispatcher(3, Map.of(CLASSIC, cap));
        for (Envelope<JobEvent> e : log) {
            replayed.apply(e);
            replayed.apply(e); // a duplicate changes nothing
        }
        vmSlots.forEach((vm, slots) -> replayed.vmReady(CLASSIC, vm, slots)); // VM facts may come after the jobs
        draining.forEach(replayed::vmDraining);
        if (deleted) {
            replayed.queueDeleting(CLASSIC);
        }
        replayed.checkInvariants();
        assertThat(replayed.waiting(CLASSIC)).isEqualTo(dispatcher.waiting(CLASSIC));
        assertThat(replayed.freeSlots(CLASSIC)).isEqualTo(dispatcher.freeSlots(CLASSIC));
        for (String job : jobIds) {
            assertThat(replayed.job(job)).as(job).isEqualTo(dispatcher.job(job));
        }
        assertThat(replayed.dispatch(CLASSIC, clock.instant()).assignments())
                .as("the rebuilt queue would assign what the live one would")
                .isEqualTo(dispatcher.dispatch(CLASSIC, clock.instant()).assignments());
        if (deleted) {
            assertThat(log).extracting(Envelope::data).filteredOn(e -> e instanceof JobCancelled)
                    .allSatisfy(e -> assertThat(((JobCancelled) e).details()).isEqualTo("pool deleted"));
        }
    }

    static JobSpec spec(String job) {
        return new JobSpec(job, "acct", service(job), 1, null, Map.of(), Map.of(), Map.of(), Duration.ofHours(1));
    }

    static String service(String job) {
        return job.replaceAll("[0-9]+$", "");
    }

    static String[] split(String s) {
        return s.isBlank() ? new String[0] : s.trim().split("\\s+");
    }

    /** Expands ranges: {@code A3-A5} is {@code A3 A4 A5}. */
    static List<String> expand(String s) {
        List<String> out = new ArrayList<>();
        for (String token : split(s)) {
            if (token.matches("[A-Z]+[0-9]+-[A-Z]+[0-9]+")) {
                String[] r = token.split("-");
                String svc = service(r[0]);
                int last = Integer.parseInt(r[1].substring(svc.length()));
                for (int i = Integer.parseInt(r[0].substring(svc.length())); i <= last; i++) {
                    out.add(svc + i);
                }
            } else {
                out.add(token);
            }
        }
        return out;
    }

    /** The jobs assigned in this step, with their VM where the table names one ({@code A3@c2}). */
    static List<String> actualAssigned(List<String> actual, List<String> expected) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < actual.size(); i++) {
            String a = actual.get(i);
            boolean withVm = i < expected.size() && expected.get(i).contains("@");
            out.add(withVm ? a : a.substring(0, a.indexOf('@')));
        }
        return out;
    }
}
