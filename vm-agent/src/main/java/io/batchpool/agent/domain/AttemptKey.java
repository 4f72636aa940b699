package io.batchpool.agent.domain;

import java.util.Objects;

/** One attempt of one job on one VM: what every assignment message names. */
public record AttemptKey(String vmId, String jobId, int attempt) {
    public AttemptKey {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(jobId, "jobId");
    }

    /** The attempt id of the temporary output blobs: {@code <jobId>-<attempt>}. */
    public String attemptId() {
        return jobId + "-" + attempt;
    }

    /** Whether an attempt id ({@link #attemptId}) names an attempt of this job, this one included. */
    public boolean sameJob(String otherAttemptId) {
        String prefix = jobId + "-";
        return otherAttemptId.startsWith(prefix) && otherAttemptId.substring(prefix.length()).chars()
                .allMatch(Character::isDigit) && otherAttemptId.length() > prefix.length();
    }

    @Override
    public String toString() {
        return "job " + jobId + " attempt " + attempt + " on VM " + vmId;
    }
}
