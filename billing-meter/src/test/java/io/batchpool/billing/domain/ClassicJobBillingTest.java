package io.batchpool.billing.domain;

import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.job.JobAssigned;
import io.batchpool.contracts.job.JobCancelled;
import io.batchpool.contracts.job.JobCreated;
import io.batchpool.contracts.job.JobEvent;
import io.batchpool.contracts.job.JobFailed;
import io.batchpool.contracts.job.JobFinished;
import io.batchpool.contracts.job.JobProgressed;
import io.batchpool.contracts.job.JobQueued;
import io.batchpool.contracts.job.JobRequeued;
import io.batchpool.contracts.job.JobStarted;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Job event to run change, and the run rules (RunBook, the same as the SQL) under replays with duplicates. */
class ClassicJobBillingTest {
    static final String CLASSIC = "00000000000000000000000000c1a551";
    static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
    static final ClassicJobBilling BILLING = new ClassicJobBilling(CLASSIC);

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static Envelope<JobEvent> envelope(JobEvent event, Instant occurredAt) {
        return Envelope.of(event, 1, occurredAt);
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                Arguments.of(new JobCreated("j", CLASSIC, "acct", "svc", 3),
                        Optional.of(new RunChange.JobKnown("j", "acct", "svc", 3))),
                Arguments.of(new JobQueued("j", CLASSIC, 1), Optional.empty()),
                Arguments.of(new JobAssigned("j", CLASSIC, "vm", 1), Optional.empty()),
                Arguments.of(new JobStarted("j", CLASSIC, "vm", 1, at(10)),
                        Optional.of(new RunChange.RunStarted("j", 1, at(10)))),
                Arguments.of(new JobProgressed("j", CLASSIC, 1, 500), Optional.empty()),
                // a finished or failed job is terminal: whichever run is open ends, when its agent said it ended
                Arguments.of(new JobFinished("j", CLASSIC, 2, Map.of(), 7, at(20), at(18)),
                        Optional.of(new RunChange.RunEnded("j", RunChange.RunEnded.ANY_ATTEMPT, at(18)))),
                Arguments.of(new JobFailed("j", CLASSIC, 3, "bad cell", at(30), at(27)),
                        Optional.of(new RunChange.RunEnded("j", RunChange.RunEnded.ANY_ATTEMPT, at(27)))),
                Arguments.of(new JobRequeued("j", CLASSIC, 2, "VM lost", -1, at(5)),
                        Optional.of(new RunChange.RunEnded("j", 1, at(5)))),
                // events written before the agent's times existed: the dispatcher's times
                Arguments.of(new JobFinished("j", CLASSIC, 2, Map.of(), 7, at(20)),
                        Optional.of(new RunChange.RunEnded("j", RunChange.RunEnded.ANY_ATTEMPT, at(20)))),
                Arguments.of(new JobFailed("j", CLASSIC, 3, "bad cell", at(30)),
                        Optional.of(new RunChange.RunEnded("j", RunChange.RunEnded.ANY_ATTEMPT, at(30)))),
                Arguments.of(new JobCancelled("j", CLASSIC, "cancelled by the client", at(40)),
                        Optional.of(new RunChange.RunEnded("j", RunChange.RunEnded.ANY_ATTEMPT, at(40)))),
                // the requeue ends the attempt before nextAttempt, at the envelope's time (the event carries none)
                Arguments.of(new JobRequeued("j", CLASSIC, 2, "VM lost", -1),
                        Optional.of(new RunChange.RunEnded("j", 1, at(99)))),
                // another queue (a pool job) is billed by VM-hours, never as classic run time
                Arguments.of(new JobCreated("j", "some-pool", "acct", "svc", 1), Optional.empty()),
                Arguments.of(new JobStarted("j", "some-pool", "vm", 1, at(10)), Optional.empty()),
                Arguments.of(new JobFinished("j", "some-pool", 1, Map.of(), 7, at(20)), Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void eventToRunChange(JobEvent event, Optional<RunChange> expected) {
        assertThat(BILLING.decide(envelope(event, at(99)))).isEqualTo(expected);
    }

    @Test
    void classicEventsWithoutWhatMeteringNeedsAreInvalidOthersAreIgnored() {
        assertThatThrownBy(() -> BILLING.decide(envelope(new JobCreated("j", CLASSIC, null, "svc", 1), T0)))
                .isInstanceOf(InvalidJobEvent.class).hasMessageContaining("accountId");
        assertThatThrownBy(() -> BILLING.decide(envelope(new JobCreated("j", CLASSIC, "acct", " ", 1), T0)))
                .isInstanceOf(InvalidJobEvent.class).hasMessageContaining("serviceId");
        assertThatThrownBy(() -> BILLING.decide(envelope(new JobStarted("j", CLASSIC, "vm", 1, null), T0)))
                .isInstanceOf(InvalidJobEvent.class).hasMessageContaining("startedAt");
        assertThatThrownBy(() -> BILLING.decide(envelope(new JobFinished("j", CLASSIC, 1, Map.of(), 0, null), T0)))
                .isInstanceOf(InvalidJobEvent.class).hasMessageContaining("endedAt");
        assertThatThrownBy(() -> BILLING.decide(envelope(new JobCancelled("j", CLASSIC, "x", null), T0)))
                .isInstanceOf(InvalidJobEvent.class).hasMessageContaining("endedAt");
        assertThatThrownBy(() -> BILLING.decide(envelope(new JobRequeued("j", CLASSIC, 1, "x", 0), T0)))
                .isInstanceOf(InvalidJobEvent.class).hasMessageContaining("nextAttempt");
        assertThat(BILLING.decide(envelope(new JobCreated("j", "some-pool", null, null, 1), T0)))
                .as("a pool job's event is not metering's business, whatever it lacks").isEmpty();
    }

    /** A job's story as the dispatcher writes it: envelope times are when each event happened. */
    record Timed(JobEvent event, Instant occurredAt) {
    }

    static List<Timed> story() {
        return List.of(
                // job a (service s1): attempt 1 lost after 100 s, attempt 2 runs 50 s
                new Timed(new JobCreated("a", CLASSIC, "acct", "s1", 1), at(0)),
                new Timed(new JobQueued("a", CLASSIC, 1), at(0)),
                new Timed(new JobAssigned("a", CLASSIC, "vm1", 1), at(1)),
                new Timed(new JobStarted("a", CLASSIC, "vm1", 1, at(2)), at(2)),
                new Timed(new JobRequeued("a", CLASSIC, 2, "VM vm1 was lost", -1), at(102)),
                new Timed(new JobAssigned("a", CLASSIC, "vm2", 2), at(103)),
                new Timed(new JobStarted("a", CLASSIC, "vm2", 2, at(110)), at(110)),
                new Timed(new JobFinished("a", CLASSIC, 2, Map.of(), 10, at(160)), at(160)),
                // job b (service s2): cancelled while running after 30 s
                new Timed(new JobCreated("b", CLASSIC, "acct", "s2", 1), at(0)),
                new Timed(new JobAssigned("b", CLASSIC, "vm1", 1), at(5)),
                new Timed(new JobStarted("b", CLASSIC, "vm1", 1, at(10)), at(10)),
                new Timed(new JobCancelled("b", CLASSIC, "cancelled by the client", at(40)), at(40)),
                // job c (service s1): failed at once (its end stamped 1 s before its start: clock skew)
                new Timed(new JobCreated("c", CLASSIC, "acct", "s1", 1), at(0)),
                new Timed(new JobStarted("c", CLASSIC, "vm1", 1, at(50)), at(50)),
                new Timed(new JobFailed("c", CLASSIC, 1, "line 7: not a number", at(49)), at(49)),
                // job d: cancelled while queued, never ran
                new Timed(new JobCreated("d", CLASSIC, "acct", "s2", 1), at(0)),
                new Timed(new JobCancelled("d", CLASSIC, "cancelled by the client", at(3)), at(3)),
                // job p: a pool job, not metered here
                new Timed(new JobCreated("p", "some-pool", "acct", "s1", 1), at(0)),
                new Timed(new JobStarted("p", "some-pool", "vm9", 1, at(0)), at(0)),
                new Timed(new JobFinished("p", "some-pool", 1, Map.of(), 1, at(500)), at(500)));
    }

    static RunBook apply(List<Timed> events) {
        RunBook book = new RunBook();
        for (Timed t : events) {
            BILLING.decide(envelope(t.event(), t.occurredAt())).ifPresent(book::apply);
        }
        return book;
    }

    @Test
    void aStoryGivesOneRunPerStartedAttemptEndedAtEventTimes() {
        assertThat(apply(story()).runs()).containsExactlyInAnyOrder(
                new JobRun("a", 1, "acct", "s1", at(2), at(102)),
                new JobRun("a", 2, "acct", "s1", at(110), at(160)),
                new JobRun("b", 1, "acct", "s2", at(10), at(40)),
                new JobRun("c", 1, "acct", "s1", at(50), at(50)));
    }

    /** Every event twice, plus late redeliveries of earlier ones: the same runs as the plain stream. */
    @Test
    void replayWithDuplicatesIsANoOp() {
        List<Timed> plain = story();
        RunBook expected = apply(plain);
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            List<Timed> noisy = new ArrayList<>();
            for (int i = 0; i < plain.size(); i++) {
                noisy.add(plain.get(i));
                noisy.add(plain.get(i));
                noisy.add(plain.get(random.nextInt(i + 1))); // a late redelivery of anything already seen
            }
            assertThat(apply(noisy).runs()).as("round %d", round).containsExactlyInAnyOrderElementsOf(expected.runs());
        }
        RunBook book = apply(plain);
        for (Timed t : plain) {
            assertThat(BILLING.decide(envelope(t.event(), t.occurredAt())).map(book::apply).orElse(false))
                    .as("replaying %s changes nothing", t.event()).isFalse();
        }
    }

    /**
     * The platform stalls between the agent's reports and the dispatcher's decisions (a dispatcher restart, a
     * broker outage): run time is still the agent's own.
     */
    @Test
    void runTimeIsTheAgentsOwnAcrossAPlatformOutage() {
        Instant started = Instant.parse("2026-11-26T10:05:00Z");
        List<Timed> outage = List.of(
                new Timed(new JobCreated("e", CLASSIC, "acct", "s1", 1), at(0)),
                new Timed(new JobStarted("e", CLASSIC, "vm1", 1, started), started),
                // attempt 1: its VM's last heartbeat 2 s in; the requeue is decided 17.8 s later
                new Timed(new JobRequeued("e", CLASSIC, 2, "VM vm1 was lost", -1, started.plusSeconds(2)),
                        started.plusMillis(19_800)),
                new Timed(new JobStarted("e", CLASSIC, "vm2", 2, started.plusSeconds(30)), started.plusSeconds(30)),
                // attempt 2 scores in 0.11 s; the dispatcher finishes it 8.5 s later, after a restart
                new Timed(new JobFinished("e", CLASSIC, 2, Map.of(), 10, started.plusMillis(38_610),
                        started.plusMillis(30_110)), started.plusMillis(38_610)));
        assertThat(apply(outage).runs()).containsExactly(
                new JobRun("e", 1, "acct", "s1", started, started.plusSeconds(2)),
                new JobRun("e", 2, "acct", "s1", started.plusSeconds(30), started.plusMillis(30_110)));
    }

    /** Attempt 1 committed after its VM was declared lost; attempt 2, started meanwhile, was revoked. */
    @Test
    void aJobFinishedByAnEarlierAttemptEndsTheRevokedLaterRun() {
        List<Timed> events = List.of(
                new Timed(new JobCreated("f", CLASSIC, "acct", "s1", 1), at(0)),
                new Timed(new JobStarted("f", CLASSIC, "vm1", 1, at(1)), at(1)),
                new Timed(new JobRequeued("f", CLASSIC, 2, "VM vm1 was lost", -1, at(3)), at(6)),
                new Timed(new JobStarted("f", CLASSIC, "vm2", 2, at(7)), at(7)),
                new Timed(new JobFinished("f", CLASSIC, 1, Map.of(), 10, at(8), at(4)), at(8)));
        assertThat(apply(events).runs()).containsExactly(
                new JobRun("f", 1, "acct", "s1", at(1), at(3)),
                new JobRun("f", 2, "acct", "s1", at(7), at(7)));
    }

    @Test
    void aLateRedeliveredRequeueNeverEndsTheNextAttempt() {
        RunBook book = new RunBook();
        book.apply(new RunChange.JobKnown("a", "acct", "s1", 1));
        book.apply(new RunChange.RunStarted("a", 1, at(0)));
        RunChange requeue = BILLING.decide(envelope(new JobRequeued("a", CLASSIC, 2, "lost", -1), at(10))).orElseThrow();
        book.apply(requeue);
        book.apply(new RunChange.RunStarted("a", 2, at(20)));
        assertThat(book.apply(requeue)).isFalse();
        assertThat(book.apply(new RunChange.RunStarted("a", 1, at(30)))).as("attempt 1 never reopens").isFalse();
        assertThat(book.runs()).containsExactly(
                new JobRun("a", 1, "acct", "s1", at(0), at(10)),
                new JobRun("a", 2, "acct", "s1", at(20), null));
    }

    @Test
    void aRunOfAJobNeverCreatedIsNotKeptAndTheFirstCreationWins() {
        RunBook book = new RunBook();
        assertThat(book.apply(new RunChange.RunStarted("x", 1, at(0)))).isFalse();
        assertThat(book.apply(new RunChange.JobKnown("x", "acct", "s1", 1))).isTrue();
        assertThat(book.apply(new RunChange.JobKnown("x", "other", "s9", 2))).isFalse();
        assertThat(book.apply(new RunChange.RunStarted("x", 1, at(5)))).isTrue();
        assertThat(book.runs()).containsExactly(new JobRun("x", 1, "acct", "s1", at(5), null));
        assertThat(book.knowsAccount("acct")).isTrue();
        assertThat(book.knowsAccount("other")).isFalse();
        assertThat(book.knowsService("s1")).isTrue();
    }

    @Test
    void theOrderOfIndependentJobsDoesNotMatter() {
        List<Timed> plain = story();
        RunBook expected = apply(plain);
        Map<String, List<Timed>> byJob = new java.util.LinkedHashMap<>();
        plain.forEach(t -> byJob.computeIfAbsent(t.event().jobId(), j -> new ArrayList<>()).add(t));
        List<String> jobs = new ArrayList<>(byJob.keySet());
        Collections.reverse(jobs); // each job's own events stay in order (one partition), jobs interleave otherwise
        List<Timed> reordered = new ArrayList<>();
        jobs.forEach(j -> reordered.addAll(byJob.get(j)));
        assertThat(apply(reordered).runs()).containsExactlyInAnyOrderElementsOf(expected.runs());
    }
}
