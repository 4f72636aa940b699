package io.batchpool.agent.domain;

/**
 * An attempt on this agent.
 *
 * <pre>
 *  AssignJob ─▶ RUNNING ─(outputs written: AttemptSucceeded)─▶ SUCCEEDED ─(CommitResults)─▶ COMMITTING ─▶ done (ResultsCommitted)
 *                  │  └─(error: AttemptFailed)─▶ done                 └─(RevokeJob: temporary blobs discarded)─▶ done
 *                  └─(RevokeJob: cancelled between batches, temporary blobs discarded, no report)─▶ done
 * </pre>
 */
public enum AttemptState {
    RUNNING, SUCCEEDED, COMMITTING
}
