package io.batchpool.gateway.domain;

import io.batchpool.contracts.job.CancelJob;
import io.batchpool.contracts.job.JobCommand;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.StartJob;

/**
 * What the gateway knows of a job when a client starts or cancels it: the state of its view (job-dispatcher's
 * decisions, possibly lagging) and which commands the gateway already recorded. DESIGN §3: a repeated start of a
 * queued or running job is a no-op; start or cancel of a finished, failed or cancelled job is 409; a start or cancel
 * the view cannot judge yet is recorded and settled by the dispatcher, which ignores it for a terminal job.
 *
 * @param commandSequence envelope sequence of the last command recorded (SubmitJob = 1)
 */
public record JobRecord(String jobId, String queueId, JobState state, boolean startRequested, boolean cancelRequested,
                        long commandSequence) {

    public Decision<JobCommand> start() {
        if (state.isTerminal()) {
            return Decision.reject(ErrorCode.JobEnded, "job " + jobId + " is " + state.wireStatus()
                    + ": it cannot be started again (submit a new job)");
        }
        if (state != JobState.CREATED || startRequested || cancelRequested) {
            return Decision.unchanged(); // queued, running or about to be: a repeated start changes nothing
        }
        return Decision.accept(new StartJob(jobId, queueId));
    }

    public Decision<JobCommand> cancel() {
        if (state.isTerminal()) {
            return Decision.reject(ErrorCode.JobEnded, "job " + jobId + " is " + state.wireStatus()
                    + ": there is nothing to cancel");
        }
        if (cancelRequested) {
            return Decision.unchanged();
        }
        return Decision.accept(new CancelJob(jobId, queueId));
    }

    /**
     * The state a client is shown: the view's, unless the gateway has accepted a start the view does not show yet
     * (the dispatcher's JobQueued is on its way): a client reads its own writes, so a started job is at least QUEUED.
     * The view's own states come only from the dispatcher's events, so a later event still advances it.
     */
    public JobState shownState() {
        return state == JobState.CREATED && startRequested && !cancelRequested ? JobState.QUEUED : state;
    }

    /** A cancel was accepted and the job has not ended yet: the client is shown that it is being cancelled. */
    public boolean cancelling() {
        return cancelRequested && !state.isTerminal();
    }

    /** The record after {@code command} was recorded. */
    public JobRecord apply(JobCommand command) {
        if (command instanceof StartJob) {
            return new JobRecord(jobId, queueId, state, true, cancelRequested, commandSequence + 1);
        }
        if (command instanceof CancelJob) {
            return new JobRecord(jobId, queueId, state, startRequested, true, commandSequence + 1);
        }
        throw new IllegalArgumentException("not a command on an existing job: " + command);
    }
}
