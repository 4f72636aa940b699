package io.batchpool.dispatch.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** How job-dispatcher reads the log and runs its queues. */
@ConfigMapping(prefix = "batchpool.job-dispatcher")
public interface DispatcherConfig {
    /** Consumer group of the dispatch processor (its input offsets are committed inside its transactions). */
    @WithDefault("job-dispatcher")
    String groupId();

    /** Stable id of this instance: transactional id and static group member id derive from it (default: host name). */
    Optional<String> instanceId();

    /** Attempts per job before a lost VM fails it. */
    @WithDefault("3")
    int maxAttempts();

    /** Queue id of the shared classic pool (jobs without AzureBatchPoolId). */
    @WithDefault("00000000000000000000000000c1a551")
    String classicQueueId();

    /**
     * How long (read time) the outcome of an attempt told to commit is awaited once its VM is lost, before the job is
     * retried anyway: an agent that is alive answers at once; only a dead one needs this.
     */
    @WithDefault("PT15S")
    java.time.Duration commitWait();

    /** In the classic queue, at most this many jobs of one web service run at once. */
    @WithDefault("40")
    int classicMaxRunningPerService();
}
