package io.batchpool.contracts.job;

/**
 * The life of a BES job, owned by job-dispatcher (the gateway records only CREATED at submission).
 *
 * <pre>
 *  SubmitJob ─▶ CREATED ─StartJob─▶ QUEUED ─slot free─▶ ASSIGNED ─agent started─▶ RUNNING ─results committed─▶ FINISHED
 *                  │                  │  ▲                  │                        │  │
 *                  │                  │  └──VM lost / attempt failed, attempts left──┴──┘
 *                  │                  │                     │                        │
 *                  └──CancelJob───────┴─────────────────────┴────────────────────────┴──▶ CANCELLED
 *                      (queued jobs of a deleted pool too)       attempt failed, no attempts left ──▶ FAILED
 * </pre>
 * A QUEUED or ASSIGNED job may also become FINISHED: an earlier attempt that was told to commit before its VM
 * was declared lost reports its results committed (the job is then finished by that attempt, never run again).
 * FINISHED, FAILED and CANCELLED are terminal: every later command is ignored (the gateway answers 409).
 * On the wire (BES {@code StatusCode}): CREATED, QUEUED and ASSIGNED are {@code NotStarted}, RUNNING is
 * {@code Running}, the terminal states are {@code Finished}, {@code Failed}, {@code Cancelled}.
 */
public enum JobState {
    CREATED, QUEUED, ASSIGNED, RUNNING, FINISHED, FAILED, CANCELLED;

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == CANCELLED;
    }

    public boolean canBecome(JobState next) {
        return switch (this) {
            case CREATED -> next == QUEUED || next == CANCELLED;
            case QUEUED -> next == ASSIGNED || next == FINISHED || next == CANCELLED;
            case ASSIGNED -> next == RUNNING || next == QUEUED || next == FINISHED || next == FAILED || next == CANCELLED;
            case RUNNING -> next == FINISHED || next == QUEUED || next == FAILED || next == CANCELLED;
            case FINISHED, FAILED, CANCELLED -> false;
        };
    }

    /** The BES api-version 2.0 {@code StatusCode}. */
    public String wireStatus() {
        return switch (this) {
            case CREATED, QUEUED, ASSIGNED -> "NotStarted";
            case RUNNING -> "Running";
            case FINISHED -> "Finished";
            case FAILED -> "Failed";
            case CANCELLED -> "Cancelled";
        };
    }
}
