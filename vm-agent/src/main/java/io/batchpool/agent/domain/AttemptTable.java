package io.batchpool.agent.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The attempts this agent holds, per VM, and the ones it finished recently (so a redelivered AssignJob does not
 * run an attempt twice). Decide methods look and change nothing; the other methods are the only mutators. Not
 * thread-safe: the caller serialises access.
 */
public final class AttemptTable {
    public enum AssignOutcome {
        /** A free slot of the VM: start it. */
        ADMITTED,
        /** The attempt is held or was finished here already (a redelivered AssignJob): nothing to do. */
        DUPLICATE,
        /** All the VM's slots are busy: the dispatcher over-assigned; fail the attempt as retryable. */
        NO_FREE_SLOT
    }

    public enum RevokeOutcome {
        /** Running: raise its cancellation flag; the runner discards its temporary outputs. */
        CANCEL_RUNNING,
        /** Outputs written, waiting for a commit that will never come: discard them now. */
        DISCARD,
        /** Not held here (finished, never seen, or committing): nothing to do. */
        UNKNOWN
    }

    public enum CommitOutcome {
        /** Succeeded and current: move the temporary outputs to their final names. */
        COMMIT,
        /** Still running, or already committing or committed: ignore (a redelivery, or a dispatcher bug). */
        NOT_READY,
        /**
         * Ended here without a commit (revoked, its VM stopped, or failed): it never will commit. Say so, so that the
         * dispatcher, which awaits this attempt's outcome, retries the job at once.
         */
        REFUSE,
        /** Not held here (e.g. this process restarted): nothing to commit. */
        UNKNOWN
    }

    private final int finishedMemory;
    private final Map<AttemptKey, AttemptState> held = new HashMap<>();
    private final Map<AttemptKey, Ended> finished;

    /**
     * How a finished attempt ended: committed or not, the queue its reports go to and the sequence of its last report
     * (a refusal continues the attempt's sequence).
     */
    public record Ended(boolean committed, String queueId, long lastReport) {
    }

    /** @param finishedMemory how many finished attempts are remembered to recognise redelivered AssignJobs */
    public AttemptTable(int finishedMemory) {
        if (finishedMemory < 0) {
            throw new IllegalArgumentException("finishedMemory must be >= 0");
        }
        this.finishedMemory = finishedMemory;
        this.finished = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<AttemptKey, Ended> eldest) {
                return size() > AttemptTable.this.finishedMemory;
            }
        };
    }

    public AssignOutcome decideAssign(AttemptKey key, int slots) {
        if (held.containsKey(key) || finished.containsKey(key)) {
            return AssignOutcome.DUPLICATE;
        }
        return busySlots(key.vmId()) >= slots ? AssignOutcome.NO_FREE_SLOT : AssignOutcome.ADMITTED;
    }

    public RevokeOutcome decideRevoke(AttemptKey key) {
        AttemptState state = held.get(key);
        if (state == AttemptState.RUNNING) {
            return RevokeOutcome.CANCEL_RUNNING;
        }
        return state == AttemptState.SUCCEEDED ? RevokeOutcome.DISCARD : RevokeOutcome.UNKNOWN;
    }

    public CommitOutcome decideCommit(AttemptKey key) {
        AttemptState state = held.get(key);
        if (state == null) {
            Ended ended = finished.get(key);
            return ended == null ? CommitOutcome.UNKNOWN : ended.committed() ? CommitOutcome.NOT_READY : CommitOutcome.REFUSE;
        }
        return state == AttemptState.SUCCEEDED ? CommitOutcome.COMMIT : CommitOutcome.NOT_READY;
    }

    /** ADMITTED: the attempt takes a slot of its VM and is RUNNING. */
    public void admit(AttemptKey key) {
        if (held.putIfAbsent(key, AttemptState.RUNNING) != null) {
            throw new IllegalStateException(key + " is already held");
        }
    }

    /** RUNNING → SUCCEEDED, or SUCCEEDED → COMMITTING; anything else is a bug. */
    public void advance(AttemptKey key, AttemptState next) {
        AttemptState state = held.get(key);
        boolean ok = (state == AttemptState.RUNNING && next == AttemptState.SUCCEEDED)
                || (state == AttemptState.SUCCEEDED && next == AttemptState.COMMITTING);
        if (!ok) {
            throw new IllegalStateException(key + " cannot go from " + state + " to " + next);
        }
        held.put(key, next);
    }

    /**
     * The attempt is over (committed, failed, revoked, its VM stopped): its slot is free; it is remembered as
     * finished, with whether it committed and the queue of its reports (for a {@link CommitOutcome#REFUSE}).
     */
    public boolean finish(AttemptKey key, Ended how) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(how, "how");
        boolean removed = held.remove(key) != null;
        if (finishedMemory > 0) {
            finished.put(key, how);
        }
        return removed;
    }

    /** How a finished attempt ended, while it is remembered. */
    public Optional<Ended> ended(AttemptKey key) {
        return Optional.ofNullable(finished.get(key));
    }

    public Optional<AttemptState> state(AttemptKey key) {
        return Optional.ofNullable(held.get(key));
    }

    /** The attempts held on this VM (in any state): what a stopping VM must end. */
    public List<AttemptKey> heldOn(String vmId) {
        List<AttemptKey> keys = new ArrayList<>();
        for (AttemptKey k : held.keySet()) {
            if (k.vmId().equals(vmId)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** Every attempt held (in any state). */
    public List<AttemptKey> heldKeys() {
        return List.copyOf(held.keySet());
    }

    public int busySlots(String vmId) {
        int n = 0;
        for (AttemptKey k : held.keySet()) {
            if (k.vmId().equals(vmId)) {
                n++;
            }
        }
        return n;
    }

    public int size() {
        return held.size();
    }
}
