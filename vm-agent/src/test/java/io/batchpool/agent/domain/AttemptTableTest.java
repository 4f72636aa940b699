package io.batchpool.agent.domain;

import io.batchpool.agent.domain.AttemptTable.AssignOutcome;
import io.batchpool.agent.domain.AttemptTable.CommitOutcome;
import io.batchpool.agent.domain.AttemptTable.RevokeOutcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttemptTableTest {
    private static final AttemptKey A1 = new AttemptKey("vmA", "j1", 1);
    private static final AttemptKey A2 = new AttemptKey("vmA", "j2", 1);
    private static final AttemptKey A3 = new AttemptKey("vmA", "j3", 1);
    private static final AttemptKey B1 = new AttemptKey("vmB", "j4", 1);
    private static final AttemptTable.Ended DISCARDED = new AttemptTable.Ended(false, "pool1", 3);
    private static final AttemptTable.Ended COMMITTED = new AttemptTable.Ended(true, "pool1", 4);

    @Test
    void aVmRunsAtMostItsSlots() {
        AttemptTable t = new AttemptTable(100);
        assertThat(t.decideAssign(A1, 2)).isEqualTo(AssignOutcome.ADMITTED);
        t.admit(A1);
        t.admit(A2);
        assertThat(t.decideAssign(A3, 2)).isEqualTo(AssignOutcome.NO_FREE_SLOT);
        assertThat(t.decideAssign(B1, 1)).as("another VM's slots").isEqualTo(AssignOutcome.ADMITTED);
        t.finish(A1, DISCARDED);
        assertThat(t.decideAssign(A3, 2)).isEqualTo(AssignOutcome.ADMITTED);
        assertThat(t.busySlots("vmA")).isEqualTo(1);
    }

    @Test
    void aRedeliveredAssignmentIsADuplicateWhileHeldAndAfterItFinished() {
        AttemptTable t = new AttemptTable(100);
        t.admit(A1);
        assertThat(t.decideAssign(A1, 5)).isEqualTo(AssignOutcome.DUPLICATE);
        t.finish(A1, DISCARDED);
        assertThat(t.decideAssign(A1, 5)).isEqualTo(AssignOutcome.DUPLICATE);
        assertThat(t.decideAssign(new AttemptKey("vmA", "j1", 2), 5)).as("the next attempt is new")
                .isEqualTo(AssignOutcome.ADMITTED);
    }

    @Test
    void finishedMemoryIsBounded() {
        AttemptTable t = new AttemptTable(1);
        t.admit(A1);
        t.finish(A1, DISCARDED);
        t.admit(A2);
        t.finish(A2, DISCARDED);
        assertThat(t.decideAssign(A1, 1)).isEqualTo(AssignOutcome.ADMITTED);
        assertThat(t.decideAssign(A2, 1)).isEqualTo(AssignOutcome.DUPLICATE);
    }

    @Test
    void lifecycleRunningSucceededCommitting() {
        AttemptTable t = new AttemptTable(10);
        t.admit(A1);
        assertThat(t.decideCommit(A1)).isEqualTo(CommitOutcome.NOT_READY);
        assertThat(t.decideRevoke(A1)).isEqualTo(RevokeOutcome.CANCEL_RUNNING);
        t.advance(A1, AttemptState.SUCCEEDED);
        assertThat(t.decideRevoke(A1)).isEqualTo(RevokeOutcome.DISCARD);
        assertThat(t.decideCommit(A1)).isEqualTo(CommitOutcome.COMMIT);
        t.advance(A1, AttemptState.COMMITTING);
        assertThat(t.decideCommit(A1)).as("a redelivered CommitResults").isEqualTo(CommitOutcome.NOT_READY);
        assertThat(t.decideRevoke(A1)).isEqualTo(RevokeOutcome.UNKNOWN);
        assertThat(t.finish(A1, COMMITTED)).isTrue();
        assertThat(t.decideCommit(A1)).as("committed already").isEqualTo(CommitOutcome.NOT_READY);
        assertThat(new AttemptTable(0).decideCommit(A1)).isEqualTo(CommitOutcome.UNKNOWN);
        assertThat(t.size()).isZero();
    }

    @Test
    void decisionsChangeNothingAndBadTransitionsThrow() {
        AttemptTable t = new AttemptTable(10);
        t.decideAssign(A1, 1);
        t.decideRevoke(A1);
        t.decideCommit(A1);
        assertThat(t.size()).isZero();
        assertThatThrownBy(() -> t.advance(A1, AttemptState.SUCCEEDED)).isInstanceOf(IllegalStateException.class);
        t.admit(A1);
        assertThatThrownBy(() -> t.admit(A1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.advance(A1, AttemptState.COMMITTING)).isInstanceOf(IllegalStateException.class);
        assertThat(A1.attemptId()).isEqualTo("j1-1");
    }

    @Test
    void theAttemptsHeldOnAVmAreWhatItsStopEnds() {
        AttemptTable t = new AttemptTable(10);
        t.admit(A1);
        t.admit(A2);
        t.admit(B1);
        t.advance(A2, AttemptState.SUCCEEDED);
        assertThat(t.heldOn("vmA")).containsExactlyInAnyOrder(A1, A2);
        assertThat(t.heldOn("vmC")).isEmpty();
        assertThat(t.heldKeys()).containsExactlyInAnyOrder(A1, A2, B1);
        // a stop is a revocation of each: the running one is cancelled, the succeeded one discarded
        assertThat(t.decideRevoke(A1)).isEqualTo(RevokeOutcome.CANCEL_RUNNING);
        assertThat(t.decideRevoke(A2)).isEqualTo(RevokeOutcome.DISCARD);
        assertThat(t.heldOn("vmA")).as("deciding changes nothing").hasSize(2);
    }

    /**
     * An attempt that ended here without a commit (revoked, its VM stopped) answers a later CommitResults with a
     * refusal: the dispatcher, which may be awaiting its outcome after its VM was declared lost, retries at once.
     */
    @Test
    void aCommitForAnAttemptThatEndedUncommittedIsRefused() {
        AttemptTable t = new AttemptTable(10);
        t.admit(A1);
        t.advance(A1, AttemptState.SUCCEEDED);
        assertThat(t.decideRevoke(A1)).isEqualTo(RevokeOutcome.DISCARD);
        t.finish(A1, DISCARDED);
        assertThat(t.decideCommit(A1)).isEqualTo(CommitOutcome.REFUSE);
        assertThat(t.ended(A1)).contains(DISCARDED);
        assertThat(t.decideCommit(A2)).as("never held here (e.g. before a restart): nothing known")
                .isEqualTo(CommitOutcome.UNKNOWN);
    }
}
