package io.batchpool.billing.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classic jobs and their runs, with the one mutator {@link #apply(RunChange)}. The PostgreSQL store implements
 * exactly these rules in SQL ({@code insert ... on conflict do nothing}, {@code update ... where ended_at is null});
 * this in-memory form states them and lets tests replay event streams with duplicates.
 */
public final class RunBook {
    private final Map<String, RunChange.JobKnown> jobs = new LinkedHashMap<>();
    private final Map<String, JobRun> runs = new LinkedHashMap<>();

    /** @return whether the change altered anything (false for duplicates, runs of unknown jobs, ends of no open run) */
    public boolean apply(RunChange change) {
        if (change instanceof RunChange.JobKnown known) {
            return jobs.putIfAbsent(known.jobId(), known) == null;
        }
        if (change instanceof RunChange.RunStarted started) {
            RunChange.JobKnown job = jobs.get(started.jobId());
            String key = started.jobId() + "#" + started.attempt();
            if (job == null || runs.containsKey(key)) {
                return false;
            }
            runs.put(key, new JobRun(started.jobId(), started.attempt(), job.accountId(), job.serviceId(),
                    started.at(), null));
            return true;
        }
        RunChange.RunEnded ended = (RunChange.RunEnded) change;
        boolean changed = false;
        for (Map.Entry<String, JobRun> e : runs.entrySet()) {
            if (ended.ends(e.getValue())) {
                e.setValue(e.getValue().withEnd(ended.at()));
                changed = true;
            }
        }
        return changed;
    }

    public boolean knowsAccount(String accountId) {
        return jobs.values().stream().anyMatch(j -> j.accountId().equals(accountId));
    }

    public boolean knowsService(String serviceId) {
        return jobs.values().stream().anyMatch(j -> j.serviceId().equals(serviceId));
    }

    public Collection<JobRun> runs() {
        return List.copyOf(new ArrayList<>(runs.values()));
    }
}
