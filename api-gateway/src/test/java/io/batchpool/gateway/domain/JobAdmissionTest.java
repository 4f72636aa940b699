package io.batchpool.gateway.domain;

import io.batchpool.contracts.job.CancelJob;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.StartJob;
import io.batchpool.gateway.domain.JobAdmission.Change;
import io.batchpool.gateway.domain.JobAdmission.Created;
import io.batchpool.gateway.domain.JobAdmission.Decided;
import io.batchpool.gateway.domain.JobAdmission.Existing;
import io.batchpool.gateway.domain.JobAdmission.IdempotencyKey;
import io.batchpool.gateway.domain.JobAdmission.Outcome;
import io.batchpool.gateway.domain.JobAdmission.OwnedJob;
import io.batchpool.gateway.domain.JobAdmission.PoolOwner;
import io.batchpool.gateway.domain.JobAdmission.Recorded;
import io.batchpool.gateway.domain.JobAdmission.Rejected;
import io.batchpool.gateway.domain.JobAdmission.State;
import io.batchpool.gateway.domain.JobAdmission.Submit;
import io.batchpool.gateway.domain.JobAdmission.Unchanged;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A group of commands decided at once must come out as if each had been admitted alone, one after the other. */
class JobAdmissionTest {
    private static final String ACCOUNT = "a0000000000000000000000000000000";
    private static final String OTHER = "b0000000000000000000000000000000";
    private static final String SERVICE = "5e000000000000000000000000000000";
    private static final String POOL = "90000000000000000000000000000000";
    private static final String CLASSIC = "00000000000000000000000000c1a551";

    private static int n;

    private static Submit submit(String key) {
        return submit(ACCOUNT, SERVICE, POOL, key);
    }

    private static Submit submit(String account, String service, String pool, String key) {
        return new Submit(String.format("%032x", ++n), account, service, pool, pool == null ? CLASSIC : pool, key);
    }

    private static State state(long waiting, long max) {
        return new State(Map.of(), Map.of(POOL, new PoolOwner(ACCOUNT, PoolStatus.ACTIVE)),
                Map.of(ACCOUNT, waiting, OTHER, 0L), Map.of(), max, null);
    }

    private static String names(List<Outcome> outcomes) {
        List<String> names = new ArrayList<>();
        for (Outcome o : outcomes) {
            names.add(o instanceof Rejected r ? r.rejection().code().name() : o.getClass().getSimpleName());
        }
        return String.join(" ", names);
    }

    @Test
    void theCapCountsTheSubmitsAcceptedEarlierInTheSameGroup() {
        List<Submit> group = List.of(submit(null), submit(null), submit(null), submit(null));
        Decided d = JobAdmission.decide(group, state(3, 5));
        assertThat(names(d.outcomes())).isEqualTo("Created Created TooManyQueuedJobs TooManyQueuedJobs");
        assertThat(((Rejected) d.outcomes().get(2)).rejection().message())
                .isEqualTo("account " + ACCOUNT + " has 5 jobs waiting to run, its limit is 5; retry when some have started");
        assertThat(d.waiting()).containsEntry(ACCOUNT, 5L);
    }

    @Test
    void theCapIsPerAccount() {
        List<Submit> group = List.of(submit(null), submit(OTHER, SERVICE, null, null), submit(null));
        Decided d = JobAdmission.decide(group, state(4, 5));
        assertThat(names(d.outcomes())).isEqualTo("Created Created TooManyQueuedJobs");
        assertThat(d.waiting()).containsEntry(ACCOUNT, 5L).containsEntry(OTHER, 1L);
    }

    @Test
    void identicalKeysInOneGroupMakeOneJobAndEveryOneAnswersIt() {
        Submit first = submit("k1");
        List<Submit> group = List.of(first, submit("k1"), submit("k2"), submit("k1"));
        Decided d = JobAdmission.decide(group, state(0, 100));
        assertThat(names(d.outcomes())).isEqualTo("Created Existing Created Existing");
        assertThat(((Existing) d.outcomes().get(1)).jobId()).isEqualTo(first.jobId());
        assertThat(((Existing) d.outcomes().get(3)).jobId()).isEqualTo(first.jobId());
        assertThat(d.waiting()).containsEntry(ACCOUNT, 2L);
    }

    @Test
    void aKeyIsTheServicesOwnAndAnEarlierJobAnswersBeforeAnyCheck() {
        String otherService = "5f000000000000000000000000000000";
        State s = new State(Map.of(new IdempotencyKey(SERVICE, "k"), "e".repeat(32)), Map.of(), Map.of(ACCOUNT, 9L),
                Map.of(), 5, new Rejection(ErrorCode.ServiceUnavailable, "broker away"));
        Decided d = JobAdmission.decide(List.of(submit("k"), submit(ACCOUNT, otherService, null, "k")), s);
        // the retried submit is answered although the cap is reached and the broker is away; the other service's
        // same key is a new submit, refused by the broker check first
        assertThat(names(d.outcomes())).isEqualTo("Existing ServiceUnavailable");
        assertThat(((Existing) d.outcomes().get(0)).jobId()).isEqualTo("e".repeat(32));
    }

    @Test
    void aRejectedSubmitLeavesItsKeyFreeForTheNext() {
        State s = new State(Map.of(), Map.of(), Map.of(ACCOUNT, 0L), Map.of(), 5, null);
        String missing = "91000000000000000000000000000000";
        Decided d = JobAdmission.decide(List.of(submit(ACCOUNT, SERVICE, missing, "k"), submit(ACCOUNT, SERVICE, null,
                "k")), s);
        assertThat(names(d.outcomes())).isEqualTo("PoolNotFound Created");
    }

    @Test
    void poolsMustBeTheAccountsAndNotDeleted() {
        String deleting = "92000000000000000000000000000000";
        String deleted = "93000000000000000000000000000000";
        State s = new State(Map.of(), Map.of(POOL, new PoolOwner(OTHER, PoolStatus.ACTIVE),
                deleting, new PoolOwner(ACCOUNT, PoolStatus.DELETING), deleted, new PoolOwner(ACCOUNT, PoolStatus.DELETED)),
                Map.of(ACCOUNT, 0L), Map.of(), 5, null);
        Decided d = JobAdmission.decide(List.of(submit(null), submit(ACCOUNT, SERVICE, deleting, null),
                submit(ACCOUNT, SERVICE, deleted, null), submit(ACCOUNT, SERVICE, null, null)), s);
        assertThat(names(d.outcomes())).isEqualTo("PoolNotFound PoolDeleting PoolNotFound Created");
        assertThat(d.waiting()).containsEntry(ACCOUNT, 1L);
        assertThat(((Created) d.outcomes().get(3)).submit().queueId()).isEqualTo(CLASSIC);
    }

    @Test
    void startsAndCancelsOfOneJobInOneGroupAreDecidedInTurn() {
        String job = "c0000000000000000000000000000000";
        State s = new State(Map.of(), Map.of(), Map.of(), Map.of(job, new OwnedJob(SERVICE,
                new JobRecord(job, POOL, JobState.CREATED, false, false, 1))), 5, null);
        Decided d = JobAdmission.decide(List.of(new Change(SERVICE, job, true), new Change(SERVICE, job, true),
                new Change(SERVICE, job, false), new Change(SERVICE, job, false)), s);
        assertThat(names(d.outcomes())).isEqualTo("Recorded Unchanged Recorded Unchanged");
        assertThat(((Recorded) d.outcomes().get(0)).command()).isEqualTo(new StartJob(job, POOL));
        assertThat(((Recorded) d.outcomes().get(0)).next().commandSequence()).isEqualTo(2);
        assertThat(((Recorded) d.outcomes().get(2)).command()).isEqualTo(new CancelJob(job, POOL));
        assertThat(((Recorded) d.outcomes().get(2)).next().commandSequence()).isEqualTo(3);
        assertThat(((Recorded) d.outcomes().get(2)).next().startRequested()).isTrue();
    }

    @Test
    void changesNeedTheServicesOwnJobAndEndedJobsRefuseThem() {
        String job = "c0000000000000000000000000000000";
        String ended = "c1000000000000000000000000000000";
        State s = new State(Map.of(), Map.of(), Map.of(), Map.of(job, new OwnedJob(SERVICE,
                new JobRecord(job, POOL, JobState.QUEUED, true, false, 2)), ended, new OwnedJob(SERVICE,
                new JobRecord(ended, POOL, JobState.FINISHED, true, false, 2))), 5,
                new Rejection(ErrorCode.ServiceUnavailable, "broker away"));
        Decided d = JobAdmission.decide(List.of(new Change("5f000000000000000000000000000000", job, true),
                new Change(SERVICE, "d0000000000000000000000000000000", true), new Change(SERVICE, ended, false),
                new Change(SERVICE, job, true), new Change(SERVICE, job, false)), s);
        // a start that changes nothing is answered even while the broker is away; a cancel to record is not
        assertThat(names(d.outcomes())).isEqualTo("JobNotFound JobNotFound JobEnded Unchanged ServiceUnavailable");
        assertThat(d.outcomes().get(3)).isInstanceOf(Unchanged.class);
    }
}
