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
 * current) but sends no ResultsCommitted: the dispatcher retries the job from the VM's deletion.
 */
public enum AttemptState {
    RUNNING, SUCCEEDED, COMMITTING
}
