package io.batchpool.agent.domain;

/**
 * An attempt on this agent.
 *
 * <pre>
 *  AssignJob ─▶ RUNNING ─(outputs written: AttemptSucceeded)─▶ SUCCEEDED ─(CommitResults)─▶ COMMITTING ─▶ done (ResultsCommitted)
 *                  │  └─(error: AttemptFailed)─▶ done                 └─(RevokeJob or VM stopped: outputs never committed)─▶ done
 *                  └─(RevokeJob or VM stopped: cancelled between batches, outputs never committed, no report)─▶ done
 * </pre>
 *
 * A VM that stops while an attempt is COMMITTING lets that commit finish (it was ordered while the attempt was
 * current) and reports it (ResultsCommitted): the dispatcher awaits the outcome of an attempt it told to commit. A
 * CommitResults for an attempt that is done without a commit is refused out loud (AttemptFailed, retryable).
 */
public enum AttemptState {
    RUNNING, SUCCEEDED, COMMITTING
}
